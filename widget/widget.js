/*
 * Talki chat widget: served at /widget.js, runs as is (no build step).
 *
 *   <script>window.TalkiConfig = { orgId: 'org_…', apiKey: 'talki_pk_…', onReady() {…} };</script>
 *   <script src="https://talki.example/widget.js" async></script>
 * or, without JavaScript:
 *   <script src="https://talki.example/widget.js" data-org-id="org_…" data-api-key="talki_pk_…"></script>
 *
 * Everything it draws lives in a Shadow DOM under one host element styled `all: initial`, so the
 * page's CSS can't reach it, and it never writes the page's own DOM beyond that element.
 */
/* global window, document, location, localStorage, fetch, FormData, WebSocket, setInterval, clearInterval */
(function () {
  'use strict';
  if (window.Talki && window.Talki.version) return; // loaded twice: the first copy stays in charge

  var script = document.currentScript;
  var attrs = (script && script.dataset) || {};
  var given = window.TalkiConfig || {};
  var pick = function (value, fallback) {
    return value !== undefined && value !== null && value !== '' ? value : fallback;
  };
  // TalkiConfig wins over data attributes where both say something.
  var config = {
    orgId: pick(given.orgId, attrs.orgId),
    apiKey: pick(given.apiKey, attrs.apiKey),
    identity: given.identity || (attrs.userId ? { userId: attrs.userId, signature: attrs.signature } : null),
    visitorId: pick(given.visitorId, attrs.visitorId),
    apiUrl: String(
      pick(
        given.apiUrl,
        pick(attrs.apiUrl, script && script.src ? new URL(script.src).origin : location.origin),
      ),
    ).replace(/\/+$/, ''),
  };
  var POLL_MS = 4000;
  var STORE_KEY = 'talki:v1:' + (config.orgId || config.apiKey) + ':visitor';
  var state = {
    token: null,
    settings: null,
    open: false,
    ready: false,
    openWhenReady: false,
    conversations: [],
    current: null, // the conversation shown (null: a new one starts with the next message)
    messages: {}, // conversation id → messages, oldest first
    seen: {}, // message id → true
    pending: [], // uploads for the next message
    socket: null,
    socketReady: false,
    retry: 0,
    poller: null,
    unread: 0,
    view: 'chat',
  };

  function emit(name, value) {
    var callback = window.TalkiConfig && window.TalkiConfig[name];
    if (typeof callback !== 'function') callback = given[name];
    if (typeof callback !== 'function') return;
    try {
      callback(value);
    } catch (error) {
      console.error('Talki: ' + name + ' failed', error);
    }
  }

  var store = {
    get: function () {
      try {
        return localStorage.getItem(STORE_KEY);
      } catch {
        return null;
      }
    },
    set: function (value) {
      try {
        localStorage.setItem(STORE_KEY, value);
      } catch {
        /* storage off: the visitor is new on every page */
      }
    },
  };

  function api(method, path, body, retried) {
    var headers = { 'X-Talki-Widget-Key': config.apiKey };
    if (state.token) headers['X-Talki-Visitor-Token'] = state.token;
    var form = typeof FormData !== 'undefined' && body instanceof FormData;
    if (body && !form) headers['Content-Type'] = 'application/json';
    return fetch(config.apiUrl + '/widget/v1' + path, {
      method: method,
      headers: headers,
      body: body ? (form ? body : JSON.stringify(body)) : undefined,
      credentials: 'omit',
    }).then(function (response) {
      return response
        .json()
        .catch(function () {
          return null;
        })
        .then(function (data) {
          if (response.ok) return data;
          var error = new Error((data && data.error && data.error.message) || 'HTTP ' + response.status);
          error.status = response.status;
          error.code = data && data.error && data.error.code;
          error.details = data && data.error && data.error.details;
          // The visitor token was forgotten by the server: start over once.
          if (response.status === 401 && path !== '/session' && !retried && error.code === 'UNAUTHORIZED') {
            return startSession().then(function () {
              return api(method, path, body, true);
            });
          }
          throw error;
        });
    });
  }

  function startSession() {
    var body = { visitorToken: state.token || store.get() || undefined };
    if (config.visitorId) body.visitorId = String(config.visitorId);
    if (config.identity && config.identity.userId) {
      body.identity = { userId: String(config.identity.userId) };
      if (config.identity.signature) body.identity.signature = String(config.identity.signature);
    }
    if (!body.visitorToken) delete body.visitorToken;
    return api('POST', '/session', body)
      .catch(function (error) {
        if (error.code !== 'INVALID_IDENTITY') throw error;
        console.warn('Talki: ' + error.message + ' (chatting anonymously)');
        delete body.identity;
        return api('POST', '/session', body);
      })
      .then(function (session) {
        state.token = session.token;
        state.settings = session.settings;
        state.visitor = session.visitor;
        store.set(session.token);
        return session;
      });
  }

  // ---- DOM ---------------------------------------------------------------------------------

  var host, root, ui;

  function el(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) {
      if (key === 'text') node.textContent = props[key];
      else if (key === 'on')
        Object.keys(props.on).forEach(function (type) {
          node.addEventListener(type, props.on[type]);
        });
      else node.setAttribute(key, props[key]);
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(child);
    });
    return node;
  }

  function icon(path) {
    var svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    var p = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    p.setAttribute('d', path);
    svg.appendChild(p);
    return svg;
  }

  var CSS =
    ':host{all:initial}*{box-sizing:border-box;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:14px;line-height:1.4;color:#1f2937;margin:0}' +
    '[hidden]{display:none!important}button{cursor:pointer;border:0;background:none;padding:0;font:inherit;color:inherit}' +
    'button:focus-visible,textarea:focus-visible,input:focus-visible{outline:2px solid var(--c);outline-offset:2px}' +
    '.bubble{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;background:var(--c);box-shadow:0 4px 14px rgba(0,0,0,.25);display:flex;align-items:center;justify-content:center}' +
    '.bubble svg{width:28px;height:28px;fill:#fff}.badge{position:absolute;top:-2px;right:-2px;min-width:20px;height:20px;border-radius:10px;background:#dc2626;color:#fff;font-size:12px;display:flex;align-items:center;justify-content:center;padding:0 5px}' +
    '.panel{position:fixed;right:20px;bottom:88px;width:360px;max-width:calc(100vw - 40px);height:520px;max-height:calc(100vh - 120px);background:#fff;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.25);display:flex;flex-direction:column;overflow:hidden}' +
    'header{background:var(--c);padding:12px;display:flex;align-items:center;gap:8px}header *{color:#fff}header h2{flex:1;font-size:16px;font-weight:600}header button{width:28px;height:28px;border-radius:6px;display:flex;align-items:center;justify-content:center}header svg{width:20px;height:20px;fill:#fff}' +
    '.log,.list{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px;background:#f9fafb}' +
    '.greeting{background:#fff;border:1px solid #e5e7eb;border-radius:10px;padding:8px 10px;align-self:flex-start;max-width:85%}' +
    '.msg{max-width:85%;display:flex;flex-direction:column;gap:2px}.msg .body{border-radius:10px;padding:8px 10px;white-space:pre-wrap;word-wrap:break-word}' +
    '.msg.customer{align-self:flex-end}.msg.customer .body{background:var(--c);color:#fff}.msg.customer .body *{color:#fff}' +
    '.msg.agent{align-self:flex-start}.msg.agent .body{background:#fff;border:1px solid #e5e7eb}.who,.when{font-size:11px;color:#6b7280}.msg.customer .when{text-align:right}' +
    '.file{display:block;text-decoration:underline;font-size:13px;text-align:left}' +
    '.item{background:#fff;border:1px solid #e5e7eb;border-radius:10px;padding:8px 10px;text-align:left;width:100%}.item b{display:block;font-weight:600}.item span{font-size:12px;color:#6b7280}' +
    '.new{background:var(--c);color:#fff;border-radius:8px;padding:8px;text-align:center}' +
    'form{border-top:1px solid #e5e7eb;padding:8px;display:flex;flex-direction:column;gap:6px;background:#fff}.row{display:flex;gap:6px;align-items:flex-end}' +
    'textarea,input{flex:1;border:1px solid #d1d5db;border-radius:8px;padding:8px;resize:none;background:#fff;width:100%}textarea{max-height:120px}' +
    '.row button{width:36px;height:36px;border-radius:8px;display:flex;align-items:center;justify-content:center}.row svg{width:20px;height:20px;fill:#6b7280}.send{background:var(--c)}.send svg{fill:#fff}' +
    '.chips{display:flex;flex-wrap:wrap;gap:4px}.chip{background:#eef2ff;border-radius:6px;padding:2px 6px;font-size:12px}.error{color:#b91c1c;font-size:12px}';

  var ICONS = {
    chat: 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z',
    close: 'M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12 19 17.6 17.6 19 12 13.4 6.4 19 5 17.6 10.6 12 5 6.4z',
    list: 'M4 6h16v2H4zm0 5h16v2H4zm0 5h16v2H4z',
    clip: 'M16.5 6v11.5a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v10.5a1 1 0 0 1-2 0V6H10v9.5a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12.5a5.5 5.5 0 0 0 11 0V6z',
    send: 'M2 21 23 12 2 3v7l15 2-15 2z',
  };

  function render() {
    var settings = state.settings;
    var color = /^#[0-9a-f]{6}$/i.test(settings.color) ? settings.color : '#4f46e5';
    host = document.createElement('talki-widget');
    // Inline !important beats any page rule, even `* { display: none !important }`.
    host.setAttribute(
      'style',
      'all:initial!important;display:block!important;position:fixed!important;z-index:2147483647!important;width:0!important;height:0!important;right:0!important;bottom:0!important;visibility:visible!important;opacity:1!important',
    );
    root = host.attachShadow({ mode: 'open' });
    var style = el('style');
    style.textContent = CSS + ':host{--c:' + color + '}';
    ui = {};
    ui.badge = el('span', { class: 'badge', hidden: '' });
    ui.bubble = el(
      'button',
      {
        class: 'bubble',
        type: 'button',
        'aria-label': 'Open chat: ' + settings.title,
        'aria-expanded': 'false',
        'aria-controls': 'talki-panel',
        on: { click: toggle },
      },
      [icon(ICONS.chat), ui.badge],
    );
    ui.title = el('h2', { text: settings.title, id: 'talki-title' });
    ui.listButton = el('button', {
      type: 'button',
      class: 'conversations',
      'aria-label': 'Your conversations',
      on: { click: showList },
    });
    ui.listButton.appendChild(icon(ICONS.list));
    var closeButton = el('button', {
      type: 'button',
      class: 'close',
      'aria-label': 'Close chat',
      on: { click: close },
    });
    closeButton.appendChild(icon(ICONS.close));
    ui.log = el('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': 'Messages' });
    ui.list = el('div', { class: 'list', hidden: '' });
    ui.email = el('input', {
      type: 'email',
      name: 'email',
      autocomplete: 'email',
      placeholder: 'Your email address',
      'aria-label': 'Your email address',
      hidden: '',
    });
    ui.text = el('textarea', {
      name: 'message',
      rows: '1',
      placeholder: 'Type a message…',
      'aria-label': 'Message',
      on: { keydown: onKey },
    });
    ui.file = el('input', {
      type: 'file',
      multiple: '',
      hidden: '',
      tabindex: '-1',
      on: { change: onFiles },
    });
    ui.attach = el('button', {
      type: 'button',
      class: 'attach',
      'aria-label': 'Attach a file',
      on: {
        click: function () {
          ui.file.click();
        },
      },
    });
    ui.attach.appendChild(icon(ICONS.clip));
    ui.send = el('button', { type: 'submit', class: 'send', 'aria-label': 'Send' });
    ui.send.appendChild(icon(ICONS.send));
    ui.chips = el('div', { class: 'chips' });
    ui.error = el('p', { class: 'error', role: 'alert' });
    ui.form = el('form', { on: { submit: onSubmit } }, [
      ui.email,
      ui.chips,
      el('div', { class: 'row' }, [ui.attach, ui.text, ui.send]),
      ui.error,
      ui.file,
    ]);
    ui.panel = el(
      'div',
      {
        class: 'panel',
        id: 'talki-panel',
        role: 'dialog',
        'aria-label': settings.title,
        'aria-modal': 'false',
        hidden: '',
        on: { keydown: onPanelKey },
      },
      [el('header', {}, [ui.title, ui.listButton, closeButton]), ui.log, ui.list, ui.form],
    );
    root.appendChild(style);
    root.appendChild(ui.panel);
    root.appendChild(ui.bubble);
    document.body.appendChild(host);
    // A press outside the panel closes it (pointerdown, so the click that opened it doesn't).
    document.addEventListener(
      'pointerdown',
      function (event) {
        if (state.open && event.composedPath().indexOf(host) === -1) close();
      },
      true,
    );
    renderChat();
  }

  function time(iso) {
    try {
      return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    } catch {
      return '';
    }
  }

  function fileLink(file) {
    return el('button', {
      type: 'button',
      class: 'file',
      text: '📎 ' + file.name,
      on: {
        click: function () {
          fetch(config.apiUrl + file.url, {
            headers: { 'X-Talki-Widget-Key': config.apiKey, 'X-Talki-Visitor-Token': state.token },
            credentials: 'omit',
          })
            .then(function (r) {
              if (!r.ok) throw new Error('HTTP ' + r.status);
              return r.blob();
            })
            .then(function (blob) {
              var a = el('a', { href: URL.createObjectURL(blob), download: file.name });
              root.appendChild(a);
              a.click();
              a.remove();
            })
            .catch(function (error) {
              showError('Could not download ' + file.name + ': ' + error.message);
            });
        },
      },
    });
  }

  function messageNode(message) {
    var node = el('div', { class: 'msg ' + message.role, 'data-id': message.id });
    if (message.role === 'agent')
      node.appendChild(el('span', { class: 'who', text: message.agentName || 'Support' }));
    var body = el('div', { class: 'body' });
    body.appendChild(document.createTextNode(message.text));
    (message.attachments || []).forEach(function (file) {
      body.appendChild(fileLink(file));
    });
    node.appendChild(body);
    node.appendChild(el('span', { class: 'when', text: time(message.createdAt) }));
    return node;
  }

  function renderChat() {
    state.view = 'chat';
    ui.list.hidden = true;
    ui.log.hidden = false;
    ui.form.hidden = false;
    ui.log.textContent = '';
    ui.log.appendChild(el('p', { class: 'greeting', text: state.settings.greeting }));
    var messages = (state.current && state.messages[state.current.id]) || [];
    messages.forEach(function (message) {
      ui.log.appendChild(messageNode(message));
    });
    ui.email.hidden = !(
      state.settings.requireEmail &&
      !state.current &&
      !(state.visitor && state.visitor.email)
    );
    ui.listButton.hidden = state.conversations.length === 0;
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  function showList() {
    state.view = 'list';
    ui.log.hidden = true;
    ui.form.hidden = true;
    ui.list.hidden = false;
    ui.list.textContent = '';
    ui.list.appendChild(
      el('button', {
        type: 'button',
        class: 'new',
        text: 'New conversation',
        on: {
          click: function () {
            state.current = null;
            renderChat();
            ui.text.focus();
          },
        },
      }),
    );
    state.conversations.forEach(function (conversation) {
      var last = conversation.lastMessage;
      ui.list.appendChild(
        el(
          'button',
          {
            type: 'button',
            class: 'item',
            on: {
              click: function () {
                openConversation(conversation).then(function () {
                  ui.text.focus();
                });
              },
            },
          },
          [
            el('b', { text: conversation.subject }),
            el('span', { text: (last ? last.text.slice(0, 80) + ' · ' : '') + conversation.status }),
          ],
        ),
      );
    });
  }

  function showError(text) {
    ui.error.textContent = text || '';
  }

  // ---- messages ----------------------------------------------------------------------------

  /** Adds a message the widget has not seen; true when it is new. */
  function remember(message) {
    if (state.seen[message.id]) return false;
    state.seen[message.id] = true;
    var list = (state.messages[message.conversationId] = state.messages[message.conversationId] || []);
    list.push(message);
    list.sort(function (a, b) {
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
    state.conversations.forEach(function (conversation) {
      if (conversation.id === message.conversationId) conversation.lastMessage = list[list.length - 1];
    });
    if (state.current && state.current.id === message.conversationId && state.view === 'chat' && ui) {
      ui.log.appendChild(messageNode(message));
      ui.log.scrollTop = ui.log.scrollHeight;
    }
    return true;
  }

  /** An agent reply that arrived live (socket or polling). */
  function incoming(message) {
    if (!remember(message) || message.role !== 'agent') return;
    if (!state.open) {
      state.unread += 1;
      ui.badge.textContent = String(state.unread);
      ui.badge.hidden = false;
    }
    emit('onAgentMessage', {
      id: message.id,
      text: message.text,
      ticketId: message.conversationId,
      agentName: message.agentName || null,
      createdAt: message.createdAt,
      attachments: message.attachments,
    });
  }

  function lastId(conversationId) {
    var list = state.messages[conversationId] || [];
    return list.length ? list[list.length - 1].id : null;
  }

  function loadConversations() {
    return api('GET', '/conversations?limit=20').then(function (page) {
      state.conversations = page.data;
      return page.data;
    });
  }

  function openConversation(summary) {
    return api('GET', '/conversations/' + encodeURIComponent(summary.id)).then(function (conversation) {
      state.current = conversation;
      conversation.messages.forEach(function (message) {
        state.seen[message.id] = true;
      });
      state.messages[conversation.id] = conversation.messages.slice();
      renderChat();
    });
  }

  /** History on (re)open: the replies that came while the widget was closed or offline show. */
  function refresh() {
    return loadConversations()
      .then(function (list) {
        var target = state.current || list[0];
        if (target) return openConversation(target);
        renderChat();
      })
      .catch(function (error) {
        showError(error.message);
      });
  }

  function send(text) {
    var attachments = state.pending.map(function (file) {
      return file.id;
    });
    var request;
    if (state.current) {
      request = api('POST', '/conversations/' + encodeURIComponent(state.current.id) + '/messages', {
        text: text,
        attachments: attachments,
      });
    } else {
      var body = { text: text, attachments: attachments };
      var email = ui.email.value.trim();
      if (!ui.email.hidden && email) body.email = email;
      request = api('POST', '/conversations', body).then(function (conversation) {
        state.current = conversation;
        state.messages[conversation.id] = [];
        state.conversations.unshift({
          id: conversation.id,
          code: conversation.code,
          subject: conversation.subject,
          status: conversation.status,
          createdAt: conversation.createdAt,
          updatedAt: conversation.updatedAt,
          lastMessage: conversation.messages[conversation.messages.length - 1] || null,
        });
        ui.email.hidden = true;
        ui.listButton.hidden = false;
        conversation.messages.forEach(remember);
        // The socket listens per customer: tell it about the new conversation.
        connect(true);
        return conversation.messages[conversation.messages.length - 1];
      });
    }
    return request.then(function (message) {
      remember(message);
      state.pending = [];
      ui.chips.textContent = '';
      emit('onMessage', {
        text: message.text,
        ticketId: message.conversationId,
        createdAt: message.createdAt,
      });
      schedulePolling();
    });
  }

  function onSubmit(event) {
    event.preventDefault();
    var text = ui.text.value.trim();
    if (!text) return;
    if (!ui.email.hidden && !ui.email.value.trim()) {
      showError('Please enter your email address.');
      ui.email.focus();
      return;
    }
    showError('');
    ui.send.disabled = true;
    send(text)
      .then(function () {
        ui.text.value = '';
      })
      .catch(function (error) {
        showError(error.message);
      })
      .then(function () {
        ui.send.disabled = false;
        ui.text.focus();
      });
  }

  function onKey(event) {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (ui.form.requestSubmit) ui.form.requestSubmit();
      else onSubmit(event);
    }
  }

  function onPanelKey(event) {
    if (event.key === 'Escape') {
      event.stopPropagation();
      close();
    }
  }

  function onFiles() {
    var files = Array.prototype.slice.call(ui.file.files || []);
    ui.file.value = '';
    if (!files.length) return;
    var form = new FormData();
    files.forEach(function (file) {
      form.append('file', file, file.name);
    });
    showError('');
    api('POST', '/uploads', form)
      .then(function (result) {
        result.data.forEach(function (file) {
          state.pending.push(file);
          ui.chips.appendChild(el('span', { class: 'chip', text: file.name }));
        });
      })
      .catch(function (error) {
        showError(error.message);
      });
  }

  // ---- live updates ------------------------------------------------------------------------

  /** Opens the socket, or with `again` re-authenticates it so it listens to a new conversation. */
  function connect(again) {
    if (typeof WebSocket === 'undefined') return schedulePolling();
    if (state.socket && state.socket.readyState <= 1) {
      if (again && state.socket.readyState === 1) state.socket.send(authFrame());
      return;
    }
    var socket;
    try {
      socket = new WebSocket(config.apiUrl.replace(/^http/, 'ws') + '/widget/v1/ws');
    } catch {
      // Refused outright (a ws: address from an https page, a Content-Security-Policy): poll instead.
      return schedulePolling();
    }
    state.socket = socket;
    socket.onopen = function () {
      socket.send(authFrame());
    };
    socket.onmessage = function (event) {
      var frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame.type === 'ready') {
        state.socketReady = true;
        state.retry = 0;
        schedulePolling();
        poll(); // what was published while the socket was down
      } else if (frame.type === 'message' && frame.message) incoming(frame.message);
    };
    socket.onclose = function (event) {
      if (state.socket === socket) state.socket = null;
      state.socketReady = false;
      schedulePolling();
      // 4401/4403: this key, token or page is not allowed; polling will say why, reconnecting won't help.
      if (event.code === 4401 || event.code === 4403) return;
      var delay = Math.min(30000, 1000 * Math.pow(2, state.retry++));
      setTimeout(function () {
        if (!state.socket) connect(false);
      }, delay);
    };
  }

  function authFrame() {
    return JSON.stringify({ type: 'auth', key: config.apiKey, token: state.token });
  }

  /** Polls the shown conversation while the socket is down; stops once it is back. */
  function schedulePolling() {
    var needed = !state.socketReady && !!state.current;
    if (needed && !state.poller) state.poller = setInterval(poll, POLL_MS);
    if (!needed && state.poller) {
      clearInterval(state.poller);
      state.poller = null;
    }
  }

  function poll() {
    var current = state.current;
    if (!current) return;
    var after = lastId(current.id);
    api(
      'GET',
      '/conversations/' + encodeURIComponent(current.id) + '/messages' + (after ? '?after=' + after : ''),
    )
      .then(function (page) {
        page.data.forEach(incoming);
      })
      .catch(function () {
        /* offline: the next tick tries again */
      });
  }

  // ---- open / close ------------------------------------------------------------------------

  function open() {
    if (!state.ready) {
      state.openWhenReady = true;
      return;
    }
    if (state.open) return;
    state.open = true;
    state.unread = 0;
    ui.badge.hidden = true;
    ui.panel.hidden = false;
    ui.bubble.setAttribute('aria-expanded', 'true');
    ui.bubble.setAttribute('aria-label', 'Close chat');
    (ui.email.hidden ? ui.text : ui.email).focus();
    refresh().then(function () {
      if (state.open && !root.activeElement) (ui.email.hidden ? ui.text : ui.email).focus();
    });
    connect(false);
    emit('onOpen');
  }

  function close() {
    state.openWhenReady = false;
    if (!state.open) return;
    state.open = false;
    ui.panel.hidden = true;
    ui.bubble.setAttribute('aria-expanded', 'false');
    ui.bubble.setAttribute('aria-label', 'Open chat: ' + state.settings.title);
    ui.bubble.focus();
    emit('onClose');
  }

  function toggle() {
    if (state.open) close();
    else open();
  }

  // A page that loads this script async may have set a stand-in that queues calls: { q: [['open']] }.
  var queued = window.Talki && Array.isArray(window.Talki.q) ? window.Talki.q : [];
  window.Talki = {
    version: '1',
    open: open,
    close: close,
    toggle: toggle,
    isOpen: function () {
      return state.open;
    },
  };

  queued.forEach(function (call) {
    var method = window.Talki[call[0]];
    if (typeof method === 'function') method.apply(null, call.slice(1));
  });

  function start() {
    if (!config.apiKey) {
      console.error('Talki: no widget key: set window.TalkiConfig.apiKey or data-api-key on the script tag');
      return;
    }
    startSession()
      .then(function () {
        render();
        state.ready = true;
        emit('onReady');
        if (state.openWhenReady) open();
        // A returning visitor with conversations hears replies even before opening the panel.
        return loadConversations().then(function (list) {
          if (!list.length) return;
          ui.listButton.hidden = false;
          if (!state.current) state.current = list[0];
          return openConversation(list[0]).then(function () {
            connect(false);
          });
        });
      })
      .catch(function (error) {
        console.error('Talki: the widget could not start: ' + error.message);
      });
  }

  if (document.body) start();
  else document.addEventListener('DOMContentLoaded', start);
})();
