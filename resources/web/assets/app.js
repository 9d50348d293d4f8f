fetch('/api/v1/daemon/status').then(r => r.json()).then(({data}) => {
  const el = document.getElementById('status');
  el.textContent = '';
  const dl = document.createElement('dl');
  for (const [k, v] of Object.entries(data)) {
    const dt = document.createElement('dt'); dt.textContent = k;
    const dd = document.createElement('dd'); dd.textContent = k === 'startedAt' ? new Date(v).toLocaleString() : String(v);
    dl.append(dt, dd);
  }
  el.append(dl);
}).catch(e => { document.getElementById('status').textContent = 'Cannot reach the daemon: ' + e; });
