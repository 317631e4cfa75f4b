// The script sandbox frame (see sandbox.html). Plain JavaScript, served as is: it must not
// depend on the lab's bundles, which a frame with an opaque origin could not import anyway.
'use strict';
(function () {
  // Runs in a worker from a blob. Everything the script can reach is: `mfflow` (calls relayed
  // over a MessagePort to the lab, which allows a fixed list), `console` (streamed to the lab)
  // and what an opaque-origin worker under `connect-src 'none'` has, which is no storage and
  // no network.
  var RUNNER = '(' + function () {
    self.onmessage = function (first) {
      self.onmessage = null;
      var port = first.ports[0];
      var source = first.data.source;
      // TF.js (its single-file build, sent by the lab when the script names `tf`), on the cpu
      // backend: the same arithmetic as the lab's training workers, bit for bit on any machine.
      var tf;
      var tfReady = Promise.resolve();
      if (typeof first.data.tf === 'string') {
        try {
          importScripts(URL.createObjectURL(new Blob([first.data.tf], { type: 'text/javascript' })));
          tf = self.tf;
          tfReady = tf.setBackend('cpu').then(function () { return tf.ready(); });
        } catch (err) {
          port.postMessage({ type: 'error', message: 'TF.js could not start in the sandbox: ' + (err && err.message || err), line: null });
          return;
        }
      }
      var seq = 0;
      var pending = new Map();
      port.onmessage = function (m) {
        var d = m.data, p = pending.get(d.id);
        if (!p) return;
        pending.delete(d.id);
        if (d.error !== undefined) p.reject(new Error(d.error)); else p.resolve(d.result);
      };
      function call(method, args) {
        return new Promise(function (resolve, reject) {
          var id = ++seq;
          pending.set(id, { resolve: resolve, reject: reject });
          try { port.postMessage({ type: 'call', id: id, method: method, args: args }); }
          catch (e) { pending.delete(id); reject(new Error('mfflow.' + method + '(): its arguments cannot be sent to the lab (' + e.message + ')')); }
        });
      }
      var mfflow = new Proxy(Object.create(null), {
        get: function (_, name) { return typeof name === 'string' ? function () { return call(name, Array.prototype.slice.call(arguments)); } : undefined; },
      });
      function text(a) {
        if (typeof a === 'string') return a;
        if (a instanceof Error) return a.name + ': ' + a.message;
        try { return JSON.stringify(a); } catch (e) { return String(a); }
      }
      var out = {};
      ['log', 'info', 'warn', 'error', 'debug'].forEach(function (level) {
        out[level] = function () { port.postMessage({ type: 'log', level: level, text: Array.prototype.map.call(arguments, text).join(' ') }); };
      });
      // The body is compiled as `async function anonymous(mfflow,console,tf\n) {\n<source>`:
      // the script's line n is line n + 2 of what V8 reports.
      function lineOf(err) {
        var m = /<anonymous>:(\d+):(\d+)/.exec(String(err && err.stack || ''));
        return m ? Number(m[1]) - 2 : null;
      }
      var run;
      if (first.data.module) {
        // A project's JavaScript entry point: an ES module whose main({ params, mfflow, tf, data }) runs.
        var moduleUrl = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
        lineOf = function (err) {
          var m = new RegExp(moduleUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + ':(\\d+):(\\d+)').exec(String(err && err.stack || ''));
          return m ? Number(m[1]) : null;
        };
        self.console = out;
        run = function () {
          return import(moduleUrl).then(function (mod) {
            if (typeof mod.main !== 'function') throw new Error(first.data.module.path + ' has no exported main function');
            return mod.main({ params: first.data.module.params, mfflow: mfflow, tf: tf, data: { files: first.data.module.files }, console: out });
          });
        };
      } else {
        var fn;
        try {
          var AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
          fn = new AsyncFunction('mfflow', 'console', 'tf', source);
        } catch (err) {
          port.postMessage({ type: 'error', message: String(err && err.name ? err.name + ': ' + err.message : err), line: null });
          return;
        }
        run = function () { return fn(mfflow, out, tf); };
      }
      tfReady.then(run).then(function (result) {
        var value = null;
        try { value = result === undefined ? null : JSON.parse(JSON.stringify(result)); } catch (e) { value = String(result); }
        port.postMessage({ type: 'done', result: value });
      }, function (err) {
        port.postMessage({ type: 'error', message: String(err && err.name ? err.name + ': ' + err.message : err), line: lineOf(err) });
      });
    };
  } + ')();';

  var started = false;
  addEventListener('message', function (e) {
    if (e.source !== parent || started || !e.data || e.data.type !== 'run' || !e.ports[0]) return;
    started = true;
    var url = URL.createObjectURL(new Blob([RUNNER], { type: 'text/javascript' }));
    var worker = new Worker(url, { name: 'mfflow-sandboxed-script' });
    worker.postMessage({ source: String(e.data.source), module: e.data.module || null, tf: typeof e.data.tf === 'string' ? e.data.tf : null }, [e.ports[0]]);
  });
  parent.postMessage({ type: 'mfflow-sandbox-ready' }, '*');
  // This frame's own thread stays idle while the script's worker runs, so it can say it is alive.
  // When the process holding the frame and its worker ends (in Chromium, what a script that runs
  // out of memory gets: the renderer is killed), these stop, and the lab ends the script.
  setInterval(function () { parent.postMessage({ type: 'mfflow-sandbox-alive' }, '*'); }, 1000);
})();
