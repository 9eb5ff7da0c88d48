// A file's page in the explorer: while a worker makes its new stills, polls the run's state and shows
// it; once they are made, reloads so the objects table lists them.
(() => {
  const line = document.getElementById('stills-run');
  if (!line) return;
  const pending = (state) => state === 'queued' || state === 'running';
  if (!pending(line.dataset.state)) return;

  const poll = async () => {
    let run;
    try {
      const res = await fetch(line.dataset.url, { headers: { accept: 'application/json' } });
      if (!res.ok) throw new Error(String(res.status));
      run = await res.json();
    } catch {
      // Signed out, or the server away for a moment: try again a while later.
      setTimeout(poll, 10000);
      return;
    }
    line.textContent = run.text;
    line.dataset.state = run.state;
    if (pending(run.state)) setTimeout(poll, 2000);
    // Without the query: its flash ("queued") is over.
    else if (run.state === 'done') window.location.replace(window.location.pathname);
  };
  setTimeout(poll, 2000);
})();
