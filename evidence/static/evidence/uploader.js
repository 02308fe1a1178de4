// Resumable uploads: an enhancement of a plain file form (data-resumable-upload="<create url>").
// Without this script the form posts the file in one request. With it, each chosen file is sent in
// parts with its byte offset; after a dropped connection the script asks the server how much has
// arrived (HEAD) and carries on from there. When every file has arrived, the form is posted with
// the upload ids in place of the files.
(function () {
  "use strict";
  var CHUNK = 8 * 1024 * 1024;
  var RETRIES = 8;

  function csrf(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function request(method, url, headers, body) {
    return fetch(url, { method: method, headers: headers, body: body, credentials: "same-origin" });
  }

  function wait(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  async function refusal(response) {
    try {
      var data = await response.json();
      return data.message || ("The server refused the file (" + response.status + ").");
    } catch (e) {
      return "The server refused the file (" + response.status + ").";
    }
  }

  async function sendFile(form, file, say) {
    var token = csrf(form);
    var created = await request("POST", form.dataset.resumableUpload, {
      "X-CSRFToken": token,
      "Upload-Length": String(file.size),
      "Upload-Filename": encodeURIComponent(file.name)
    });
    if (created.status !== 201) { throw new Error(await refusal(created)); }
    var location = created.headers.get("Location");
    var offset = 0;
    var failures = 0;
    while (offset < file.size) {
      try {
        var part = file.slice(offset, Math.min(offset + CHUNK, file.size));
        var sent = await request("PATCH", location, {
          "X-CSRFToken": token,
          "Upload-Offset": String(offset),
          "Content-Type": "application/offset+octet-stream"
        }, part);
        if (sent.status === 204) {
          offset = parseInt(sent.headers.get("Upload-Offset"), 10);
          failures = 0;
        } else if (sent.status === 409 || sent.status >= 500) {
          throw new Error("resume");
        } else {
          throw new Error(await refusal(sent));
        }
      } catch (error) {
        if (error.message !== "resume" && !(error instanceof TypeError)) { throw error; }
        failures += 1;
        if (failures > RETRIES) { throw new Error("The connection keeps dropping. Try again later; what has arrived is kept for a while."); }
        say("Connection lost; trying again…");
        await wait(Math.min(1000 * failures, 8000));
        var asked = await request("HEAD", location, { "X-CSRFToken": token });
        if (asked.ok) { offset = parseInt(asked.headers.get("Upload-Offset"), 10); }
      }
      say(file.name + ": " + Math.floor((100 * offset) / file.size) + "% sent");
    }
    return location.replace(/\/$/, "").split("/").pop();
  }

  function enhance(form) {
    var input = form.querySelector("input[type=file]");
    var progress = form.querySelector("#upload-progress");
    if (!input || !window.fetch || !window.Blob || !Blob.prototype.slice) { return; }
    input.multiple = true;
    var busy = false;
    form.addEventListener("submit", async function (event) {
      if (busy || !input.files || input.files.length === 0) { return; }
      event.preventDefault();
      busy = true;
      var say = function (text) { if (progress) { progress.textContent = text; } };
      try {
        var files = Array.prototype.slice.call(input.files);
        for (var i = 0; i < files.length; i += 1) {
          var id = await sendFile(form, files[i], say);
          var hidden = document.createElement("input");
          hidden.type = "hidden";
          hidden.name = "upload_id";
          hidden.value = id;
          form.appendChild(hidden);
        }
        input.value = "";
        say("All files sent; saving…");
        form.submit();
      } catch (error) {
        say(error.message);
        busy = false;
      }
    });
  }

  document.querySelectorAll("form[data-resumable-upload]").forEach(enhance);
})();
