// The only client script: hides revealed card details after their time, shows notifications live
// from the server-sent event stream, and wires the statement's print button. Every page works
// without it.
(function () {
  'use strict';

  function hideRevealedCard() {
    var box = document.getElementById('revealed');
    if (!box) return;
    var left = Number(box.getAttribute('data-hide-after')) || 60;
    var countdown = document.getElementById('reveal-countdown');
    var template = countdown ? countdown.getAttribute('data-template') : null;
    var timer = setInterval(function () {
      left -= 1;
      if (left > 0) {
        if (countdown && template) countdown.textContent = template.replace('{s}', String(left));
        return;
      }
      clearInterval(timer);
      box.textContent = '';
      var note = document.createElement('p');
      note.id = 'reveal-hidden';
      note.setAttribute('role', 'status');
      note.textContent = box.getAttribute('data-hidden-text');
      box.appendChild(note);
    }, 1000);
  }

  var formatters = {};
  function formatTime(iso, lang) {
    var key = lang || 'en';
    if (!formatters[key]) {
      formatters[key] = new Intl.DateTimeFormat(key === 'ar' ? 'ar-KW-u-nu-latn' : 'en-GB',
        { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Kuwait' });
    }
    return formatters[key].format(new Date(iso));
  }

  function listItem(n, alertLabel, lang) {
    var li = document.createElement('li');
    li.className = 'notification fresh' + (n.severity === 'alert' ? ' alert' : '');
    li.setAttribute('data-id', n.id);
    if (n.severity === 'alert') {
      var tag = document.createElement('strong');
      tag.className = 'tag';
      tag.textContent = alertLabel;
      li.appendChild(tag);
    }
    var message = document.createElement('span');
    message.className = 'message';
    message.dir = 'auto';
    message.textContent = n.message;
    li.appendChild(message);
    var time = document.createElement('time');
    time.setAttribute('datetime', n.createdAt);
    time.textContent = formatTime(n.createdAt, lang);
    li.appendChild(time);
    return li;
  }

  function toast(live, n, alertLabel) {
    var box = document.createElement('div');
    box.className = 'toast' + (n.severity === 'alert' ? ' alert' : '');
    if (n.severity === 'alert') {
      var tag = document.createElement('strong');
      tag.textContent = alertLabel;
      box.appendChild(tag);
    }
    box.appendChild(document.createTextNode(n.message));
    live.appendChild(box);
    setTimeout(function () { box.remove(); }, 12000);
  }

  function showNotification(n) {
    if (!n || !n.id || !n.message) return;
    var live = document.getElementById('live');
    var alertLabel = live ? live.getAttribute('data-alert-label') : '!';
    var lang = document.documentElement.lang;
    var lists = document.querySelectorAll('[data-live-list="notifications"]');
    var isNew = false;
    lists.forEach(function (list) {
      if (list.querySelector('[data-id="' + CSS.escape(n.id) + '"]')) return;
      isNew = true;
      var empty = list.querySelector('.empty');
      if (empty) empty.remove();
      list.insertBefore(listItem(n, alertLabel, lang), list.firstChild);
    });
    if ((isNew || lists.length === 0) && live) toast(live, n, alertLabel);
  }

  function listen() {
    var live = document.getElementById('live');
    if (!live || !window.EventSource) return;
    var source = new EventSource(live.getAttribute('data-stream'));
    var handle = function (event) {
      try {
        var data = JSON.parse(event.data);
        (Array.isArray(data) ? data : [data]).forEach(showNotification);
      } catch (e) { /* a keep-alive or an event we do not show */ }
    };
    source.onmessage = handle;
    source.addEventListener('notification', handle);
    window.addEventListener('pagehide', function () { source.close(); });
  }

  // The statement page's print button (inline handlers are not allowed by the CSP).
  document.querySelectorAll('[data-print]').forEach(function (button) {
    button.addEventListener('click', function () { window.print(); });
  });

  hideRevealedCard();
  listen();
})();
