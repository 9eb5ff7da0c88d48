// The live log ("Matrix"): lines from every process over Server-Sent Events, coloured by level,
// filtered by role, level, task id and text in the page, pausable. Lines are shown with textContent.
(() => {
  const view = document.getElementById('log');
  const filters = document.getElementById('log-filters');
  const pauseButton = document.getElementById('log-pause');
  const state = document.getElementById('log-state');
  const count = document.getElementById('log-count');
  if (!view || !filters) return;

  const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
  const KEEP = 2000;
  const lines = [];
  let paused = false;
  let held = [];

  const filter = () => {
    const data = new FormData(filters);
    return {
      role: String(data.get('role') || ''),
      level: LEVELS.indexOf(String(data.get('level') || 'trace')),
      task: String(data.get('task') || '').trim().toLowerCase(),
      text: String(data.get('text') || '').trim().toLowerCase(),
    };
  };

  const matches = (line, f) =>
    (!f.role || line.role.split(',').includes(f.role) || line.role === 'all') &&
    LEVELS.indexOf(line.level) >= f.level &&
    (!f.task || (line.taskId || '').toLowerCase().includes(f.task) || line.msg.toLowerCase().includes(f.task)) &&
    (!f.text || `${line.msg} ${line.context || ''}`.toLowerCase().includes(f.text));

  const render = (line) => {
    const node = document.createElement('div');
    node.className = `line level-${line.level}`;
    node.dataset.level = line.level;
    if (line.taskId) node.dataset.taskId = line.taskId;
    const time = document.createElement('span');
    time.className = 'time';
    time.textContent = `${line.time.slice(11, 23)} `;
    const meta = document.createElement('span');
    meta.className = 'meta';
    meta.textContent = `${line.level.toUpperCase().padEnd(5)} [${line.role}]${line.context ? ` ${line.context}:` : ''} `;
    node.append(time, meta, line.msg);
    return node;
  };

  const redraw = () => {
    const f = filter();
    view.replaceChildren(...lines.filter((line) => matches(line, f)).map(render));
    count.textContent = String(view.childElementCount);
    view.scrollTop = view.scrollHeight;
  };

  const add = (incoming) => {
    lines.push(...incoming);
    if (lines.length > KEEP) lines.splice(0, lines.length - KEEP);
    const f = filter();
    const atBottom = view.scrollTop + view.clientHeight >= view.scrollHeight - 20;
    for (const line of incoming) if (matches(line, f)) view.append(render(line));
    while (view.childElementCount > KEEP) view.firstElementChild.remove();
    count.textContent = String(view.childElementCount);
    if (atBottom) view.scrollTop = view.scrollHeight;
  };

  const receive = (incoming) => (paused ? held.push(...incoming) : add(incoming));

  filters.addEventListener('input', redraw);
  filters.addEventListener('submit', (event) => event.preventDefault());
  pauseButton.addEventListener('click', () => {
    paused = !paused;
    pauseButton.textContent = paused ? 'Resume' : 'Pause';
    pauseButton.setAttribute('aria-pressed', String(paused));
    state.textContent = paused ? 'paused' : 'live';
    if (!paused) {
      add(held);
      held = [];
    }
  });
  document.getElementById('log-clear').addEventListener('click', () => {
    lines.length = 0;
    redraw();
  });

  const events = new EventSource('/admin/logs/events');
  events.addEventListener('open', () => (state.textContent = paused ? 'paused' : 'live'));
  events.addEventListener('error', () => (state.textContent = 'reconnecting…'));
  events.addEventListener('history', (event) => {
    lines.length = 0;
    add(JSON.parse(event.data));
  });
  events.addEventListener('line', (event) => receive([JSON.parse(event.data)]));
})();
