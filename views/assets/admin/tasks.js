// The tasks table, kept live from /admin/tasks/events (Server-Sent Events). Every value is set with
// textContent or attributes: task data is never parsed as HTML.
(() => {
  const body = document.querySelector('#tasks tbody');
  const liveState = document.getElementById('live-state');
  const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';
  if (!body) return;
  const openLists = new Set();

  const el = (tag, attributes = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    for (const child of children) node.append(child);
    return node;
  };

  const actionForm = (task, action, label, question) => {
    const form = el('form', { method: 'post', action: `/admin/tasks/${task.id}/${action}` });
    if (question) form.dataset.confirm = question;
    form.append(el('input', { type: 'hidden', name: '_csrf', value: csrf }), el('button', { type: 'submit' }, label));
    return form;
  };

  const row = (task) => {
    const source = el('td', { class: 'wrap' }, task.fileName || task.source);
    if (task.hint) source.append(' ', el('small', {}, `(${task.hint})`));
    if (task.error) source.append(el('div', { class: 'error' }, task.error));
    if (task.itemsLine) {
      const list = el('ul');
      for (const item of task.items) {
        const line = el('li', { class: `item-${item.state}` }, el('span', { class: `state state-${item.state}` }, item.state));
        line.append(` ${item.kind} · ${item.name}`);
        if (item.detail) line.append(' ', el('small', {}, item.detail));
        list.append(line);
      }
      const details = el('details', { class: 'items' }, el('summary', {}, task.itemsLine), list);
      // A live refresh keeps a list someone opened open.
      if (openLists.has(task.id)) details.open = true;
      details.addEventListener('toggle', () => (details.open ? openLists.add(task.id) : openLists.delete(task.id)));
      source.append(details);
    }
    const progress = el('td');
    if (task.percent !== null) {
      progress.append(el('progress', { max: '100', value: String(task.percent) }, `${task.percent}%`), ` ${task.percent}% `);
    }
    progress.append(el('small', {}, task.bytes));
    const actions = el('td');
    if (task.canCancel) actions.append(actionForm(task, 'cancel', 'Cancel', 'Cancel this task?'));
    if (task.canRetry) actions.append(actionForm(task, 'retry', 'Retry'));
    if (task.titleId) actions.append(el('a', { href: `/admin/library/${task.titleId}` }, 'Title'));
    return el(
      'tr',
      { 'data-task-id': task.id, 'data-state': task.state },
      source,
      el('td', {}, el('span', { class: `state state-${task.state}` }, task.state)),
      progress,
      el('td', {}, task.speed),
      el('td', {}, task.eta),
      el('td', {}, task.engine),
      actions,
    );
  };

  const events = new EventSource('/admin/tasks/events');
  events.addEventListener('open', () => {
    liveState.textContent = 'live';
    liveState.classList.add('on');
  });
  events.addEventListener('error', () => {
    liveState.textContent = 'reconnecting…';
    liveState.classList.remove('on');
  });
  events.addEventListener('tasks', (event) => {
    const tasks = JSON.parse(event.data);
    if (tasks.length === 0) {
      body.replaceChildren(el('tr', { class: 'empty' }, el('td', { colspan: '7' }, 'No tasks yet.')));
    } else {
      body.replaceChildren(...tasks.map(row));
    }
  });
})();
