// Draws every chart on the page from the JSON figure next to it. plotly.js is served by
// us (no CDN). The tables on each page carry the same figures for anyone without charts.
const draw = () => {
  for (const element of document.querySelectorAll("[data-chart]")) {
    const source = document.getElementById(element.dataset.chart);
    if (!source || !window.Plotly) continue;
    const figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(element, figure.data, figure.layout, {
      displayModeBar: false,
      responsive: true,
    });
  }
};

if (window.Plotly) {
  draw();
} else {
  window.addEventListener("load", draw);
}
