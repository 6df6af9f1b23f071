// The built-in UI at /ui/: one static page that reads the same HTTP API any client uses
// (services, their instances and checks), so it needs no build step and no extra endpoints.
export const UI_PAGE = /* html */ `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Beacon</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d1d1f; }
  header { background: #1d2b3a; color: #fff; padding: 10px 20px; display: flex; gap: 16px; align-items: baseline; }
  header h1 { font-size: 18px; margin: 0; }
  main { display: grid; grid-template-columns: 260px 1fr; min-height: calc(100vh - 44px); }
  nav { border-right: 1px solid #ddd; padding: 10px; }
  nav button { display: flex; justify-content: space-between; width: 100%; border: 0; background: none; padding: 6px 8px; text-align: left; cursor: pointer; border-radius: 4px; }
  nav button.selected, nav button:hover { background: #eef2f7; }
  section { padding: 10px 20px; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #eee; vertical-align: top; }
  .passing { color: #16794a; } .warning { color: #a15c00; } .critical { color: #b3261e; }
  .tag { background: #eef2f7; border-radius: 3px; padding: 0 4px; margin-right: 4px; }
  .muted { color: #777; }
</style>
</head>
<body>
<header><h1>Beacon</h1><span id="dc" class="muted"></span></header>
<main>
  <nav id="services" aria-label="Services"></nav>
  <section id="detail"><p class="muted">Select a service.</p></section>
</main>
<script type="module">
const api = (path) => fetch(path).then((r) => r.json());
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
const worst = (checks) => ['critical', 'warning'].find((s) => checks.some((c) => c.Status === s)) || 'passing';
let selected = null;

async function showService(name) {
  selected = name;
  document.querySelectorAll('nav button').forEach((b) => b.classList.toggle('selected', b.dataset.name === name));
  const entries = await api('/v1/health/service/' + encodeURIComponent(name));
  const rows = entries.map((e) => '<tr data-instance="' + esc(e.Service.ID) + '">' +
    '<td>' + esc(e.Service.ID) + '</td>' +
    '<td>' + esc(e.Service.Address || e.Node.Address) + ':' + e.Service.Port + '</td>' +
    '<td>' + e.Service.Tags.map((t) => '<span class="tag">' + esc(t) + '</span>').join('') + '</td>' +
    '<td>' + e.Checks.map((c) => '<div class="' + c.Status + '">' + esc(c.Name) + ': ' + c.Status +
      (c.Output ? ' <span class="muted">' + esc(c.Output) + '</span>' : '') + '</div>').join('') + '</td></tr>').join('');
  document.getElementById('detail').innerHTML = '<h2>' + esc(name) + '</h2><table><thead><tr><th>Instance</th><th>Address</th>' +
    '<th>Tags</th><th>Checks</th></tr></thead><tbody>' + rows + '</tbody></table>';
}

async function refresh() {
  const self = await api('/v1/agent/self');
  document.getElementById('dc').textContent = 'datacenter ' + self.Config.Datacenter;
  const services = await api('/v1/catalog/services');
  const names = Object.keys(services).sort();
  const states = await Promise.all(names.map(async (n) => worst((await api('/v1/health/checks/' + encodeURIComponent(n))))));
  document.getElementById('services').innerHTML = names.map((n, i) =>
    '<button data-name="' + esc(n) + '"><span>' + esc(n) + '</span><span class="' + states[i] + '">' + states[i] + '</span></button>').join('')
    || '<p class="muted">No services registered.</p>';
  document.querySelectorAll('nav button').forEach((b) => b.addEventListener('click', () => showService(b.dataset.name)));
  if (selected) await showService(selected);
}
refresh();
setInterval(refresh, 5000);
</script>
</body>
</html>`;
