// The room panel's work orders: the room's orders not yet closed, newest first, read from
// `GET /api/rooms/{code}/work-orders?state=active`. The section is returned at once and
// fills itself when the answer comes; a panel closed or replaced meanwhile just drops it.
// Opening an order needs an admin key, which the page never holds, so the panel only
// reads and names the command that opens one.

import { api } from './api.js';

const STATE_LABELS = { open: 'open', assigned: 'assigned', in_progress: 'in progress', closed: 'closed' };

function node(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  element.append(...children.filter((child) => child !== null && child !== undefined));
  return element;
}

function orderItem(order) {
  const who = order.assignee ? ` · ${order.assignee}` : '';
  return node('li', {
    'data-work-order-id': order.work_order_id,
    'data-state': order.state,
    'data-priority': order.priority,
    title: order.description || order.title,
  },
  node('span', { class: 'wo-id' }, `#${order.work_order_id}`), ' ',
  node('span', { class: 'wo-title' }, order.title),
  node('span', { class: 'wo-meta' }, ` ${STATE_LABELS[order.state] || order.state} · ${order.priority}${who}`));
}

/** The "Work orders" section of a room's panel; it loads its list itself. */
export function workOrdersSection(roomCode) {
  const list = node('ul', { class: 'work-orders', 'data-room': roomCode, 'aria-busy': 'true' },
    node('li', { class: 'wo-note' }, 'Loading…'));
  const section = node('section', { class: 'work-orders-section' }, node('h3', {}, 'Open work orders'), list);
  api.roomWorkOrders(roomCode, 'active').then((orders) => {
    const items = orders.map(orderItem);
    if (!items.length) {
      items.push(node('li', { class: 'wo-note' }, 'None open. ',
        node('code', {}, `twin wo open ${roomCode} --title …`)));
    }
    list.replaceChildren(...items);
  }).catch((error) => {
    list.replaceChildren(node('li', { class: 'wo-note', 'data-error': 'true' }, `Could not load: ${error.message}`));
  }).finally(() => {
    list.setAttribute('aria-busy', 'false');
  });
  return section;
}
