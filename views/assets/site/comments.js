// Comments of a title or an episode (views/partials/site-comments.hbs): post, and delete for admins.
function commentItem(comment, admin) {
  const li = document.createElement('li');
  li.className = 'comment';
  li.dataset.commentId = comment.id;
  const header = document.createElement('header');
  const author = document.createElement('strong');
  author.textContent = comment.author.name;
  const time = document.createElement('time');
  const at = new Date(comment.createdAt);
  time.dateTime = at.toISOString();
  time.textContent = `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  header.append(author, ' ', time);
  if (admin) header.append(deleteButton(comment.author.name));
  const body = document.createElement('p');
  body.textContent = comment.body; // text, never HTML
  li.append(header, body);
  return li;
}

function deleteButton(authorName) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'danger delete-comment';
  button.textContent = 'Delete';
  button.setAttribute('aria-label', `Delete comment by ${authorName}`);
  return button;
}

async function errorMessage(res) {
  try {
    const body = await res.json();
    if (res.status === 429) return 'You are commenting too fast; wait a minute and try again.';
    return body.message || `The comment was not posted (${res.status}).`;
  } catch {
    return `The comment was not posted (${res.status}).`;
  }
}

export function setupComments() {
  const form = document.getElementById('comment-form');
  const list = document.getElementById('comments');
  const error = document.getElementById('comment-error');
  if (!form || !list) return;
  const admin = list.dataset.admin === '1';
  const url = form.dataset.commentsUrl;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const textarea = form.elements.namedItem('body');
    const body = textarea.value;
    error.textContent = '';
    if (body.trim() === '') {
      error.textContent = 'A comment cannot be empty.';
      return;
    }
    if (body.length > 2000) {
      error.textContent = 'A comment can be at most 2000 characters.';
      return;
    }
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ body }),
    });
    if (!res.ok) {
      error.textContent = await errorMessage(res);
      return;
    }
    list.prepend(commentItem(await res.json(), admin));
    textarea.value = '';
  });
  list.addEventListener('click', async (event) => {
    const button = event.target.closest('.delete-comment');
    if (!button) return;
    event.preventDefault(); // the button's own form is for pages without JavaScript
    const item = button.closest('.comment');
    if (!confirm('Delete this comment?')) return;
    const res = await fetch(`${url}/${item.dataset.commentId}`, { method: 'DELETE' });
    if (res.ok || res.status === 404) item.remove();
    else error.textContent = await errorMessage(res);
  });
}
