// <broker-lab>: brokerlab as a figure in any page.
//
//   <script type="module" src="https://example.org/brokerlab/broker-lab.js"></script>
//   <broker-lab scenario="eos-2-aborted-transaction" view="topics,groups" theme="auto"></broker-lab>
//
// This small module only defines the element. The simulation (brokerlab.js and its wasm, next to
// this file) is fetched when the first element connects, once for the whole page however many
// elements it has; each element then runs its own simulation in an open shadow root with the
// styles inside, rebuilds it when an attribute changes, and stops it when it leaves the page.
// With ctl="1" an element shows a light poster and fetches nothing until the reader clicks.
// theme="auto" follows the host page's theme signals (Docusaurus's data-theme on <html>, MkDocs
// Material's data-md-color-scheme, mdBook's theme classes), else the reader's system setting.
// Attributes and CSS custom properties: docs/embedding.md.

const here = import.meta.url;
const ATTRIBUTES = ['scenario', 'view', 'controls', 'theme', 'autoplay', 'speed', 'lesson', 'step', 'seed', 'ctl', 'state'];
// Passed to the simulation as an address's query; `state` goes as the session, `ctl` stays here.
const PARAMS = ATTRIBUTES.filter((a) => a !== 'state' && a !== 'ctl');

let module; // the simulation module, loaded once per page
function simulation() {
  module ??= import(new URL('./brokerlab.js', here).href).then(async (m) => {
    await m.default({ module_or_path: new URL('./brokerlab_bg.wasm', here) });
    return m;
  }).catch((e) => {
    module = undefined; // a failed download is tried again by the next element
    throw e;
  });
  return module;
}

// The host page's theme, from the signals documentation frameworks set; null: none set.
function hostTheme() {
  const html = document.documentElement;
  const set = html.dataset.theme;
  if (set === 'dark' || set === 'light') return set;
  const md = document.body?.dataset.mdColorScheme ?? html.dataset.mdColorScheme;
  if (md) return md === 'slate' ? 'dark' : 'light';
  const book = ['coal', 'navy', 'ayu', 'light', 'rust'].find((c) => html.classList.contains(c));
  if (book) return ['coal', 'navy', 'ayu'].includes(book) ? 'dark' : 'light';
  return null;
}

const live = new Set();
let watching = false;
function watchHostTheme() {
  if (watching) return;
  watching = true;
  const observer = new MutationObserver(() => live.forEach((el) => el.applyTheme()));
  const options = { attributes: true, attributeFilter: ['class', 'data-theme', 'data-md-color-scheme'] };
  observer.observe(document.documentElement, options);
  if (document.body) observer.observe(document.body, options);
}

class BrokerLab extends HTMLElement {
  static observedAttributes = ATTRIBUTES;

  connectedCallback() {
    live.add(this);
    watchHostTheme();
    if (!this.shadowRoot) {
      const shadow = this.attachShadow({ mode: 'open' });
      const css = document.createElement('link');
      css.rel = 'stylesheet';
      css.href = new URL('./style.css', here).href;
      const own = document.createElement('style');
      own.textContent = ':host{display:block;position:relative;border:1px solid var(--line);border-radius:8px;overflow:hidden;background:var(--bg)}' +
        ':host([hidden]){display:none}.figure-root{min-height:8rem;container:figure/inline-size}';
      this.root = document.createElement('div');
      this.root.className = 'figure-root';
      shadow.append(css, own, this.root);
    }
    this.applyTheme();
    if (this.getAttribute('ctl') === '1' && !this.started) this.poster();
    else this.start();
  }

  disconnectedCallback() {
    live.delete(this);
    this.stop();
  }

  attributeChangedCallback(name, before, after) {
    if (before === after || !this.root) return;
    if (name === 'theme') return this.applyTheme();
    if (name === 'ctl') return;
    if (this.figure || this.loading) {
      // Several attributes set one after another rebuild the figure once.
      if (!this.pending) {
        this.pending = true;
        queueMicrotask(() => {
          this.pending = false;
          if (this.isConnected && this.figure) {
            this.stop();
            this.start();
          }
        });
      }
    } else if (this.root.querySelector('.poster')) {
      this.poster();
    }
  }

  applyTheme() {
    const asked = this.getAttribute('theme');
    const theme = asked === 'light' || asked === 'dark' ? asked : hostTheme();
    if (theme) this.dataset.theme = theme;
    else delete this.dataset.theme; // the reader's system setting (style.css)
  }

  // ctl="1": a light poster (what the figure shows, and a button) until the reader asks.
  poster() {
    const box = document.createElement('div');
    box.className = 'loading poster';
    box.setAttribute('role', 'region');
    box.setAttribute('aria-label', 'brokerlab figure');
    const name = document.createElement('strong');
    name.textContent = 'brokerlab';
    const text = document.createElement('span');
    text.className = 'loading-text';
    const scenario = this.getAttribute('scenario');
    text.textContent = scenario ? `Scenario: ${scenario}` : 'A Kafka cluster, simulated in your browser';
    const play = document.createElement('button');
    play.type = 'button';
    play.className = 'btn primary poster-play';
    play.textContent = '▶ Load the simulation';
    play.addEventListener('click', () => this.start(), { once: true });
    box.append(name, text, play);
    this.root.replaceChildren(box);
  }

  async start() {
    this.started = true;
    this.loading = true;
    const box = document.createElement('div');
    box.className = 'loading';
    box.setAttribute('role', 'status');
    box.textContent = 'Loading the Kafka simulation…';
    this.root.replaceChildren(box);
    try {
      const m = await simulation();
      if (!this.isConnected || !this.loading) return;
      this.root.replaceChildren();
      const query = PARAMS.filter((a) => this.hasAttribute(a))
        // Values go as the page's address has them: no other parameter smuggled in.
        .map((a) => `${a}=${this.getAttribute(a).replace(/[&=#\s]/g, '')}`)
        .join('&');
      const state = (this.getAttribute('state') ?? '').replace(/^#?s=/, '');
      this.figure = m.mountFigure(this, this.root, query, state, new URL('./index.html', here).href);
    } catch (e) {
      box.textContent = `brokerlab could not start: ${e}. It needs a browser with WebAssembly.`;
      box.classList.add('failed');
    } finally {
      this.loading = false;
    }
  }

  stop() {
    this.loading = false;
    if (this.figure) {
      this.figure.destroy();
      this.figure.free();
      this.figure = null;
    }
    this.root?.replaceChildren();
  }
}

if (!customElements.get('broker-lab')) customElements.define('broker-lab', BrokerLab);
