// Keyboard shortcuts for taking a call: the take-a-contact page and a contact's page.
// See docs/first-contact.md, "Keyboard shortcuts". Everything here is added on top of plain HTML forms:
// without this script each form still works with Tab, the arrow keys, Space and Enter.
//
// - Alt+Shift+1 to 7 moves the focus into a section of the page (elements with data-shortcut="N").
// - On a radio button of a form marked data-keys, a digit chooses that option (1 is the first) and the
//   focus moves on to the next question. A form's data-answer-letters ("y:yes n:no") adds letters
//   for the options with those values (the DASH questions: y, n, k).
// - Ctrl+Enter (Cmd+Enter on a Mac) submits the data-keys form holding the focus with its
//   [data-keys-save] button.
// - Enter in a search box (a text box with its own button beside it) runs that box's search rather
//   than the form's first button.
// - "Answer by letters" on the DASH form answers the questions in order as the letters are typed.
// Single-key shortcuts act only on the radio button holding the focus (WCAG 2.2, 2.1.4).

const statusRegion = document.getElementById("keys-status");
let announceTimer = null;

function announce(message, delay = 0) {
  if (!statusRegion) return;
  clearTimeout(announceTimer);
  announceTimer = setTimeout(() => {
    // The same words twice in a row would not be read again: a trailing no-break space makes them new.
    statusRegion.textContent = statusRegion.textContent === message ? `${message}\u00a0` : message;
  }, delay);
}

function shown(element) {
  return element.getClientRects().length > 0;
}

function groupOf(radio) {
  const named = radio.form ? radio.form.elements.namedItem(radio.name) : null;
  return named instanceof RadioNodeList ? Array.from(named) : [radio];
}

// A radio group is one Tab stop: its checked option, or its first. Other controls are their own stop.
function stopOf(element) {
  if (!(element instanceof HTMLInputElement) || element.type !== "radio") return element;
  const group = groupOf(element);
  return group.find((radio) => radio.checked) || group[0];
}

function focusable(element) {
  if (element.disabled || element.tabIndex < 0 || !shown(element)) return false;
  if (element instanceof HTMLFieldSetElement || element instanceof HTMLOutputElement) return false;
  return !(element instanceof HTMLInputElement && element.type === "hidden");
}

// Sections ---------------------------------------------------------------------------------------

const CONTROLS = "input:not([type=hidden]), select, textarea";
const OTHERS = "a[href], button, summary";

function sectionTarget(section) {
  const chosen = Array.from(section.querySelectorAll("[data-shortcut-focus]")).find(shown);
  if (chosen) return chosen;
  for (const selector of [CONTROLS, OTHERS]) {
    const first = Array.from(section.querySelectorAll(selector)).find((el) => !el.disabled && shown(el));
    if (first) return stopOf(first);
  }
  if (!section.hasAttribute("tabindex")) section.setAttribute("tabindex", "-1");
  return section;
}

function sectionKey(event) {
  if (!event.altKey || !event.shiftKey || event.ctrlKey || event.metaKey) return false;
  // The physical key, so it is the same on every layout (Shift turns the digits into symbols).
  const match = /^(?:Digit|Numpad)([1-9])$/.exec(event.code);
  const section = match && document.querySelector(`[data-shortcut="${match[1]}"]`);
  if (!section) return false;
  const target = sectionTarget(section);
  // Show the section from its heading, then focus what comes first in it.
  section.scrollIntoView({ block: "start" });
  target.focus({ preventScroll: true });
  const box = target.getBoundingClientRect();
  if (box.top < 0 || box.bottom > window.innerHeight) target.scrollIntoView({ block: "nearest" });
  return true;
}

// Answers by key -----------------------------------------------------------------------------------

function letterMap(form) {
  const letters = new Map();
  for (const pair of (form.dataset.answerLetters || "").split(/\s+/)) {
    const [letter, value] = pair.split(":");
    if (letter && value) letters.set(letter.toLowerCase(), value);
  }
  return letters;
}

function choose(radio) {
  if (radio.checked) return;
  radio.checked = true;
  radio.dispatchEvent(new Event("input", { bubbles: true }));
  radio.dispatchEvent(new Event("change", { bubbles: true }));
}

function questionName(radio) {
  const legend = radio.closest("fieldset")?.querySelector("legend")?.textContent.trim() || radio.name;
  const numbered = /^(\d+)\.\s/.exec(legend);
  return numbered ? `Question ${numbered[1]}` : legend;
}

function nextStop(form, group) {
  const elements = Array.from(form.elements);
  const last = elements.indexOf(group[group.length - 1]);
  const next = elements.slice(last + 1).find((el) => focusable(el) && !group.includes(el));
  return next ? stopOf(next) : null;
}

function answerKey(event) {
  const radio = event.target;
  if (!(radio instanceof HTMLInputElement) || radio.type !== "radio") return false;
  const form = radio.form;
  if (!form || !form.hasAttribute("data-keys") || event.altKey || event.ctrlKey || event.metaKey) return false;
  const group = groupOf(radio);
  let choice = null;
  if (/^[1-9]$/.test(event.key)) {
    choice = group[Number(event.key) - 1] || null;
  } else if (event.key.length === 1) {
    const value = letterMap(form).get(event.key.toLowerCase());
    choice = (value && group.find((option) => option.value === value)) || null;
  }
  if (!choice) return false;
  choose(choice);
  const label = choice.labels[0]?.textContent.trim() || choice.value;
  const progress = form.querySelector("[data-keys-progress]")?.textContent.trim();
  announce(`${questionName(choice)}: ${label}.${progress ? ` ${progress}` : ""}`);
  const next = nextStop(form, group);
  if (next) next.focus();
  return true;
}

// Saving and searching -------------------------------------------------------------------------------

function saveKey(event) {
  if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return false;
  const element = event.target;
  if (!(element instanceof Element) || element.closest("a[href]")) return false;  // Ctrl+Enter on a link opens a tab
  const form = element.form || element.closest("form");
  if (!form || !form.hasAttribute("data-keys")) return false;
  // Once sent, the page is leaving: a second press must not send the form again.
  if (form.dataset.keysSent) return true;
  form.dataset.keysSent = "yes";
  const button = form.querySelector("[data-keys-save]");
  if (button) form.requestSubmit(button);
  else form.requestSubmit();
  return true;
}

function searchKey(event) {
  if (event.key !== "Enter" || event.ctrlKey || event.metaKey || event.altKey || event.shiftKey) return false;
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || !["text", "search"].includes(input.type)) return false;
  const form = input.form;
  const button = input.closest(".govuk-input__wrapper")?.querySelector("button[type=submit]");
  if (!form || !form.hasAttribute("data-keys") || !button || button.form !== form) return false;
  form.requestSubmit(button);
  return true;
}

document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.isComposing) return;
  if (sectionKey(event) || saveKey(event) || answerKey(event) || searchKey(event)) event.preventDefault();
});

// A page brought back from the browser's cache may be sent again.
window.addEventListener("pageshow", () => {
  for (const form of document.querySelectorAll("form[data-keys-sent]")) delete form.dataset.keysSent;
});

// DASH: answer by letters ------------------------------------------------------------------------

function answerByLetters(form) {
  const group = form.querySelector("[data-dash-letters]");
  const box = group?.querySelector("input");
  const progress = group?.querySelector("#dash-progress");
  const error = group?.querySelector("#dash-letters-error");
  if (!box || !progress || !error) return;
  const letters = letterMap(form);
  const values = Array.from(letters.values());
  const keys = Array.from(letters.keys());
  const allowed = keys.length > 1 ? `${keys.slice(0, -1).join(", ")} or ${keys[keys.length - 1]}` : keys.join("");
  // The questions: the radio groups offering every answer a letter stands for, in the page's order.
  const questions = [];
  for (const radio of form.querySelectorAll("input[type=radio]")) {
    if (questions.some((question) => question[0].name === radio.name)) continue;
    const options = groupOf(radio);
    if (values.every((value) => options.some((option) => option.value === value))) questions.push(options);
  }
  if (!questions.length) return;
  progress.setAttribute("data-keys-progress", "");
  group.hidden = false;

  const answerText = (value) => form.querySelector(`input[type=radio][value="${value}"]`)?.labels[0]?.textContent.trim().toLowerCase() || value;

  function showProgress() {
    const counts = new Map(values.map((value) => [value, 0]));
    let answered = 0;
    let firstOpen = 0;
    questions.forEach((options, index) => {
      const checked = options.find((option) => option.checked);
      if (checked) {
        answered += 1;
        counts.set(checked.value, (counts.get(checked.value) || 0) + 1);
      } else if (!firstOpen) {
        firstOpen = index + 1;
      }
    });
    const parts = values.map((value) => `${counts.get(value)} ${answerText(value)}`).join(", ");
    const next = firstOpen ? `; first unanswered: question ${firstOpen}` : "";
    progress.textContent = `${answered} of ${questions.length} answered (${parts})${next}.`;
  }

  function showError(message) {
    error.hidden = !message;
    error.innerHTML = "";
    if (message) {
      const hidden = document.createElement("span");
      hidden.className = "govuk-visually-hidden";
      hidden.textContent = "Error:";
      error.append(hidden, ` ${message}`);
    }
    group.classList.toggle("govuk-form-group--error", Boolean(message));
    box.classList.toggle("govuk-input--error", Boolean(message));
    const described = ["dash-letters-hint", ...(message ? ["dash-letters-error"] : []), "dash-progress"];
    box.setAttribute("aria-describedby", described.join(" "));
  }

  let fromLetters = new Set();  // the questions the box answered, so deleting a letter clears only those
  box.addEventListener("input", () => {
    const typed = Array.from(box.value.replace(/\s+/g, "").toLowerCase());
    const now = new Set();
    let problem = "";
    typed.forEach((letter, index) => {
      if (index >= questions.length) return;
      const value = letters.get(letter);
      if (!value) {
        problem ||= `Letter ${index + 1} is "${letter}": use ${allowed}`;
        return;
      }
      choose(questions[index].find((option) => option.value === value));
      now.add(index);
    });
    for (const index of fromLetters) {
      if (!now.has(index)) {
        for (const option of questions[index]) option.checked = false;
      }
    }
    fromLetters = now;
    if (!problem && typed.length > questions.length) {
      const extra = typed.length - questions.length;
      problem = `There are ${questions.length} questions: remove the last ${extra} letter${extra > 1 ? "s" : ""}`;
    }
    showError(problem);
    showProgress();
    announce(problem ? `${problem}. ${progress.textContent}` : progress.textContent, 700);
  });
  form.addEventListener("change", showProgress);
  showProgress();
}

for (const form of document.querySelectorAll("form[data-answer-letters]")) answerByLetters(form);
for (const help of document.querySelectorAll("[data-keys-help]")) help.hidden = false;
