// Draws a team's hotspot cells on a Leaflet map. The page is complete without it: the same cells
// are listed in the tables below the map, which is what screen-reader users are pointed to.
const L = window.L;
const container = document.getElementById("hotspot-map");

function readJson(id) {
  const element = document.getElementById(id);
  return element ? JSON.parse(element.textContent) : null;
}

function tooltipFor(properties) {
  // Built as DOM text, never HTML: place names come from published data.
  const text = document.createElement("span");
  const planned = properties.plan ? ` · patrol plan no. ${properties.plan}` : "";
  text.textContent = `${properties.location || properties.cell}: ${properties.count} events, ` +
    `Gi* z ${properties.z} (${properties.significance})${planned}`;
  return text;
}

if (L && container) {
  const cells = readJson("hotspot-cells");
  const config = readJson("map-config") || {};
  const map = L.map(container, { scrollWheelZoom: false });
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "", maxZoom: 19 }).addTo(map);
  }
  const layer = L.geoJSON(cells, {
    style: (feature) => ({
      className: `fc-cell fc-cell--${feature.properties.significance}` +
        (feature.properties.plan ? " fc-cell--planned" : ""),
    }),
    onEachFeature: (feature, cellLayer) => cellLayer.bindTooltip(tooltipFor(feature.properties)),
  }).addTo(map);
  if (layer.getLayers().length) {
    map.fitBounds(layer.getBounds(), { padding: [10, 10] });
  } else {
    map.setView([52.8, -2.1], 10);
  }
  container.dataset.cellsDrawn = String(layer.getLayers().length);
}
