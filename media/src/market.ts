/**
 * The marketplace webview. Every string from a catalog or the service is untrusted: it is inserted with
 * textContent only. The one exception is the entry description, which the host rendered from markdown with
 * raw HTML disabled. Data arrives only through postMessage (typed in server/src/market/webviewProtocol.ts).
 */
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type {
  EntryResult,
  HostToWebview,
  InstallResult,
  ListFilters,
  ListResult,
  MarketMethod,
  MarketMethods,
  RenderReport,
  ServiceMode,
  VerificationStatus,
  VersionResult,
  WebviewToHost,
} from '../../server/src/market/webviewProtocol';

declare function acquireVsCodeApi(): { postMessage(message: WebviewToHost): void; setState(state: unknown): void; getState(): unknown };

const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;
const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
let nextRequest = 1;
let mode: ServiceMode = { mode: 'catalog-only' };
const filters: ListFilters = (vscode.getState() as { filters?: ListFilters } | undefined)?.filters ?? {};
/** The last install of each entry in this session, for its "next steps" checklist. */
const installs = new Map<string, InstallResult>();
let currentEntry: string | undefined;

function request<M extends MarketMethod>(method: M, params: MarketMethods[M]['params']): Promise<MarketMethods[M]['result']> {
  const requestId = nextRequest++;
  return new Promise((resolve, reject) => {
    pending.set(requestId, { resolve: resolve as (value: unknown) => void, reject });
    vscode.postMessage({ type: 'request', requestId, method, params } as WebviewToHost);
  });
}

interface ElementOptions {
  text?: string;
  className?: string;
  attrs?: Record<string, string>;
}

/** Creates an element with text (never HTML) and attributes. */
function el(tag: string, options: ElementOptions = {}, ...children: (Node | undefined)[]): HTMLElement {
  const node = document.createElement(tag);
  if (options.text !== undefined) node.textContent = options.text;
  if (options.className) node.className = options.className;
  for (const [name, value] of Object.entries(options.attrs ?? {})) node.setAttribute(name, value);
  for (const child of children) if (child) node.append(child);
  return node;
}

function report(view: RenderReport['view'], entryId?: string): void {
  const texts = (selector: string): string[] => [...document.querySelectorAll(selector)].map((t) => t.textContent ?? '');
  vscode.postMessage({
    type: 'rendered',
    report: {
      view,
      titles: texts('.entry-title'),
      images: document.querySelectorAll('img').length,
      entryId,
      problems: texts('.problems li'),
      checklist: texts('.checklist label'),
      reviews: texts('.review-text'),
      mode: mode.mode,
      verification: texts('.verification-badge'),
      verificationDetails: texts('.verification-error, .verification-log'),
    },
  });
}

/** What to do after an install: requirements changes, pin conflicts, connections and variables to create. */
function nextSteps(result: InstallResult): HTMLElement {
  const item = (text: string): HTMLElement => {
    const id = `step-${Math.random().toString(36).slice(2)}`;
    return el('li', {}, el('input', { attrs: { type: 'checkbox', id } }), el('label', { text, attrs: { for: id } }));
  };
  const { requirements, checklist } = result;
  return el(
    'section',
    { className: 'next-steps', attrs: { 'aria-label': 'Next steps' } },
    el('h2', { text: `${result.updated ? 'Updated' : 'Installed'} ${result.version}: ${result.files.join(', ')}` }),
    el('p', { text: requirements.added.length ? `requirements.txt: added ${requirements.added.join(', ')}` : 'requirements.txt already had every provider.' }),
    ...requirements.conflicts.map((c) => errorBox(`requirements.txt pins "${c.existing}" but this DAG needs "${c.wanted}": resolve the pin by hand.`)),
    el(
      'ul',
      { className: 'checklist' },
      ...checklist.connections.map((c) => item(`Create connection ${c.id}${c.type ? ` (${c.type})` : ''}${c.description ? ` — ${c.description}` : ''}`)),
      ...checklist.variables.map((v) => item(`Create variable ${v.name}${v.description ? ` — ${v.description}` : ''}`)),
    ),
  );
}

function banner(): HTMLElement | undefined {
  if (mode.mode === 'service') return undefined;
  return el('p', { className: 'banner', attrs: { role: 'status' }, text: `Catalog-only mode: ${(mode.reason ?? 'no marketplace service configured').replace(/\.$/, '')}. Ratings, reviews and install counts are unavailable.` });
}

function errorBox(message: string): HTMLElement {
  return el('p', { className: 'error', attrs: { role: 'alert' }, text: message });
}

function select(label: string, value: string | undefined, options: string[], onChange: (value: string | undefined) => void, labels: Record<string, string> = {}, anyOption = true): HTMLElement {
  const control = el('vscode-single-select', { attrs: { 'aria-label': label } }) as HTMLElement & { value: string };
  if (anyOption) control.append(el('vscode-option', { text: `Any ${label.toLowerCase()}`, attrs: { value: '' } }));
  for (const option of options) control.append(el('vscode-option', { text: labels[option] ?? option, attrs: { value: option, ...(option === value ? { selected: '' } : {}) } }));
  control.addEventListener('change', () => onChange(control.value || undefined));
  return el('label', { className: 'filter' }, el('span', { text: label }), control);
}

/** `1.0.0 → 1.1.0`, or a note that the same version changed in the catalog. */
function upgrade(installed: string, available: string): string {
  return installed === available ? `${available}, changed in the catalog` : `${installed} → ${available}`;
}

function stars(rating: number, count: number): string {
  if (mode.mode !== 'service') return '';
  return count ? `★ ${rating.toFixed(1)} (${count})` : 'not rated';
}

/** "Verified on Airflow 3.3.2 and 3.4.0b2", "Failed on …", "Not verified": the badge of the file as it is now. */
function verificationBadge(status: VerificationStatus): HTMLElement {
  return el('span', { className: `verification-badge ${status.state}`, text: status.headline, attrs: { title: `Applies to the file with sha256 ${status.sha256}` } });
}

function resultText(result: VersionResult): string {
  const parse = result.parseMs === undefined ? '' : ` · parse ${Math.round(result.parseMs)} ms`;
  const tests = result.dagTests?.length ? ` · dag.test(): ${result.dagTests.map((t) => `${t.dagId} ${t.state}`).join(', ')}` : '';
  return `Airflow ${result.airflow}: ${result.result}${parse}${tests}`;
}

/** Per Airflow version: the result, the environment it ran in, and for a failure the error and its log. */
function verificationPanel(status: VerificationStatus): HTMLElement {
  const record = status.record;
  const by = status.source === 'service' ? 'the marketplace service' : 'the catalog’s verification/ file';
  const intro = record
    ? `${status.headline}. ${status.state === 'stale' ? 'That result was for an earlier version of the file' : `Verified ${record.verifiedAt.slice(0, 10)} by ${by}, in a ${record.isolation} sandbox`}; it applies to sha256 ${record.sha256}. The file now has sha256 ${status.sha256}.`
    : `${status.headline}. The file has sha256 ${status.sha256}.`;
  const rows = (status.state === 'stale' ? [] : (record?.results ?? [])).map((result) =>
    el(
      'li',
      { className: `verification-result ${result.result}` },
      el('p', { className: 'verification-head', text: resultText(result) }),
      Object.keys(result.packages ?? {}).length ? el('p', { className: 'muted', text: Object.entries(result.packages ?? {}).map(([name, version]) => `${name} ${version}`).join(', ') }) : undefined,
      result.error ? el('p', { className: 'verification-error', text: `${result.error}${result.line ? ` (line ${result.line})` : ''}` }) : undefined,
      result.log ? el('pre', { className: 'verification-log', attrs: { tabindex: '0', 'aria-label': `Log for Airflow ${result.airflow}` } }, el('code', { text: result.log })) : undefined,
    ),
  );
  return el('div', {}, el('p', { text: intro }), rows.length ? el('ul', { className: 'verification-results' }, ...rows) : undefined);
}

let searchTimer: ReturnType<typeof setTimeout> | undefined;

async function showList(): Promise<void> {
  currentEntry = undefined;
  vscode.setState({ filters });
  let result: ListResult;
  try {
    result = await request('list', filters);
  } catch (error) {
    app.replaceChildren(banner() ?? el('span'), errorBox((error as Error).message));
    return;
  }
  mode = result;
  const search = el('vscode-textfield', { attrs: { placeholder: 'Search DAGs by name, description, tag or provider', 'aria-label': 'Search', id: 'search' } }) as HTMLElement & { value: string };
  search.value = filters.text ?? '';
  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      filters.text = search.value || undefined;
      void showList().then(() => (document.getElementById('search') as HTMLElement | null)?.focus());
    }, 150);
  });
  const airflow = el('vscode-textfield', { attrs: { placeholder: 'e.g. 2.10', 'aria-label': 'Your Airflow version' } }) as HTMLElement & { value: string };
  airflow.value = filters.airflowVersion ?? '';
  airflow.addEventListener('change', () => {
    filters.airflowVersion = airflow.value.trim() || undefined;
    void showList();
  });
  const refilter = (key: keyof ListFilters) => (value: string | undefined): void => {
    (filters as Record<string, string | undefined>)[key] = value;
    void showList();
  };
  const sortKeys = ['relevance', 'rating', 'installs', 'updated', 'title'];
  const refresh = el('vscode-button', { text: 'Refresh catalogs', attrs: { secondary: '', title: 'Fetch the catalog repositories again' } });
  refresh.addEventListener('click', () => {
    refresh.setAttribute('disabled', '');
    void request('refresh', {}).then(showList, (error: Error) => app.append(errorBox(error.message)));
  });
  const toolbar = el(
    'div',
    { className: 'toolbar' },
    search,
    select('Category', filters.category, result.facets.categories, refilter('category')),
    select('Status', filters.status, result.facets.statuses, refilter('status')),
    select('Provider', filters.provider, result.facets.providers, refilter('provider'), Object.fromEntries(result.facets.providers.map((p) => [p, p.replace(/^apache-airflow-providers-/, '')]))),
    el('label', { className: 'filter' }, el('span', { text: 'Airflow' }), airflow),
    select('Sort', filters.sort ?? (filters.text ? 'relevance' : 'title'), sortKeys, refilter('sort'), { relevance: 'Relevance', rating: 'Rating', installs: 'Installs', updated: 'Recently updated', title: 'Title' }, false),
    refresh,
  );
  const list = el('ul', { className: 'entries', attrs: { 'aria-label': 'Marketplace entries' } });
  for (const item of result.items) {
    const open = el(
      'button',
      { className: 'entry', attrs: { 'data-id': item.id } },
      el('span', { className: 'entry-title', text: item.title }),
      el('span', { className: 'entry-meta', text: `${item.id} · ${item.version} · ${item.category}` }),
      el('span', { className: 'entry-summary', text: item.summary }),
      el(
        'span',
        { className: 'entry-badges' },
        el('vscode-badge', { text: item.status }),
        verificationBadge(item.verification),
        item.installedVersion ? el('vscode-badge', { text: item.updateAvailable ? `update available (${upgrade(item.installedVersion, item.version)})` : 'installed' }) : undefined,
        mode.mode === 'service' ? el('span', { className: 'stat', text: `${stars(item.stats.rating, item.stats.ratings)} · ${item.stats.installs} installs` }) : undefined,
      ),
    );
    open.addEventListener('click', () => void showEntry(item.id));
    list.append(el('li', {}, open));
  }
  const problems = result.problems.length
    ? el('details', { className: 'problems' }, el('summary', { text: `${result.problems.length} catalog problem(s)` }), el('ul', {}, ...result.problems.map((p) => el('li', { text: `${p.catalog}: ${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}` }))))
    : undefined;
  app.replaceChildren(
    ...[el('h1', { text: 'Hangar Marketplace' }), banner(), toolbar, el('p', { className: 'count', text: `${result.total} DAG${result.total === 1 ? '' : 's'}${result.items.length < result.total ? `, showing the first ${result.items.length}: refine the search` : ''}` }), list, problems].filter((n): n is HTMLElement => n !== undefined),
  );
  report('list');
}

function section(title: string, ...children: (Node | undefined)[]): HTMLElement {
  return el('section', {}, el('h2', { text: title }), ...children);
}

function table(rows: string[][], headers: string[]): HTMLElement {
  if (rows.length === 0) return el('p', { className: 'muted', text: 'None' });
  return el('table', {}, el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', { text: h })))), el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c) => el('td', { text: c }))))));
}

async function action(button: HTMLElement, work: () => Promise<unknown>, id: string): Promise<void> {
  button.setAttribute('disabled', '');
  try {
    await work();
    await showEntry(id);
  } catch (error) {
    button.removeAttribute('disabled');
    button.after(errorBox((error as Error).message));
  }
}

async function showEntry(id: string): Promise<void> {
  app.replaceChildren(el('vscode-progress-ring', { attrs: { 'aria-label': 'Loading' } }));
  let page: EntryResult;
  try {
    page = await request('entry', { id });
  } catch (error) {
    app.replaceChildren(errorBox((error as Error).message));
    return;
  }
  mode = page;
  const { entry } = page;
  const back = el('vscode-button', { text: 'Back to results', attrs: { secondary: '', id: 'back' } });
  back.addEventListener('click', () => void showList());

  const buttons = el('div', { className: 'actions' });
  const install = el('vscode-button', { text: page.updateAvailable ? `Update to ${entry.version}` : page.installedVersion ? 'Reinstall' : 'Install', attrs: { id: 'install' } });
  install.addEventListener('click', () => void action(install, () => request('install', { id: entry.id }), entry.id));
  buttons.append(install);
  if (page.installedVersion) {
    const uninstall = el('vscode-button', { text: 'Uninstall', attrs: { secondary: '', id: 'uninstall' } });
    uninstall.addEventListener('click', () => void action(uninstall, () => request('uninstall', { id: entry.id }), entry.id));
    buttons.append(uninstall);
  }

  // Hangar's static analysis; what Airflow made of the file is the verification badge beside it, which opens its tab.
  const verification = verificationBadge(page.verification);
  const badgeText = { passed: 'Static checks passed', warnings: 'Static checks: warnings', failed: 'Static checks failed' }[page.badge];
  const header = el(
    'header',
    { className: 'entry-header' },
    el('h1', { className: 'entry-title', text: entry.title }),
    el('p', { className: 'entry-meta', text: `${entry.id} · version ${entry.version} · ${entry.category} · by ${entry.author || 'unknown'}${entry.license ? ` · ${entry.license}` : ''}` }),
    el(
      'p',
      { className: 'entry-badges' },
      el('vscode-badge', { text: entry.status }),
      el('span', { className: `validation ${page.badge}`, text: badgeText, attrs: { role: 'status' } }),
      verification,
      page.installedVersion ? el('vscode-badge', { text: page.updateAvailable ? `Update available: ${upgrade(page.installedVersion, entry.version)}` : `Installed ${page.installedVersion}` }) : undefined,
      mode.mode === 'service' ? el('span', { className: 'stat', text: `${stars(page.stats.rating, page.stats.ratings)} · ${page.stats.installs} installs` }) : undefined,
    ),
    el('p', { className: 'muted', text: entry.sha256 ? `sha256 ${entry.sha256}` : 'The index pins no sha256 for this file: its integrity rests on the catalog’s Git commit.' }),
    buttons,
  );

  const description = el('div', { className: 'markdown' });
  // Host-rendered with markdown-it (raw HTML disabled, unsafe link schemes refused): the only innerHTML here.
  description.innerHTML = page.descriptionHtml;

  const tabs = el('vscode-tabs', { attrs: { 'aria-label': 'Entry details' } });
  const tab = (title: string, panel: HTMLElement): void => {
    tabs.append(el('vscode-tab-header', { text: title, attrs: { slot: 'header' } }), el('vscode-tab-panel', {}, panel));
  };
  tab('Overview', el('div', {}, description, section('Task graph', taskGraph(page.tasks, page.edges))));
  tab(
    'Requirements',
    el(
      'div',
      {},
      el('p', { text: `Airflow ${entry.airflowVersion ?? '(any version)'}` }),
      section('Providers', table(entry.providers.map((p) => [p.name, p.version ?? 'any']), ['Package', 'Version'])),
      section('Connections to create', table(entry.connections.map((c) => [c.id, c.type ?? '', c.description ?? '']), ['Connection id', 'Type', 'Description'])),
      section('Variables to create', table(entry.variables.map((v) => [v.name, v.description ?? '']), ['Variable', 'Description'])),
      section('Params', table(entry.params.map((p) => [p.name, p.type ?? '', p.default === undefined ? '' : JSON.stringify(p.default), p.description ?? '']), ['Param', 'Type', 'Default', 'Description'])),
    ),
  );
  tab('Source', el('pre', { className: 'source', attrs: { tabindex: '0', 'aria-label': 'DAG source' } }, el('code', { text: page.source })));
  tab(
    'Static checks',
    page.findings.length
      ? el('ul', { className: 'findings' }, ...page.findings.map((f) => el('li', { className: f.severity, text: `${f.severity} ${f.ruleId} line ${f.range.start.line + 1}: ${f.message}` })))
      : el('p', { text: 'Hangar’s analysis found nothing to report. The file was parsed, never run.' }),
  );
  const verificationTab = tabs.querySelectorAll('vscode-tab-header').length;
  tab('Verification', verificationPanel(page.verification));
  const showVerification = (): void => void ((tabs as HTMLElement & { selectedIndex: number }).selectedIndex = verificationTab);
  verification.setAttribute('role', 'button');
  verification.setAttribute('tabindex', '0');
  verification.addEventListener('click', showVerification);
  verification.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' || event.key === ' ') showVerification();
  });
  tab('Reviews', reviewsPanel(page));

  const installed = installs.get(entry.id);
  currentEntry = entry.id;
  app.replaceChildren(...[back, banner(), header, installed && nextSteps(installed), tabs].filter((n): n is HTMLElement => n !== undefined));
  back.focus();
  report('entry', entry.id);
}

/** Tasks in columns by depth (longest path from a root), each with its downstream tasks; cycles stop at the first repeat. */
function taskGraph(tasks: string[], edges: [string, string][]): HTMLElement {
  if (tasks.length === 0) return el('p', { className: 'muted', text: 'No tasks found statically.' });
  const depth = new Map<string, number>(tasks.map((t) => [t, 0]));
  for (let pass = 0; pass < tasks.length; pass++) {
    let changed = false;
    for (const [up, down] of edges) {
      const next = (depth.get(up) ?? 0) + 1;
      if (next > (depth.get(down) ?? 0) && next < tasks.length) {
        depth.set(down, next);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const columns: string[][] = [];
  for (const [task, d] of depth) (columns[d] ??= []).push(task);
  const downstream = (task: string): string => edges.filter(([up]) => up === task).map(([, down]) => down).join(', ');
  return el(
    'div',
    { className: 'graph', attrs: { role: 'list', 'aria-label': 'Tasks by dependency depth' } },
    ...columns.map((column, index) =>
      el(
        'div',
        { className: 'graph-column', attrs: { role: 'listitem', 'aria-label': `Step ${index + 1}` } },
        ...column.map((task) => el('div', { className: 'graph-task', attrs: { title: downstream(task) ? `then ${downstream(task)}` : 'no downstream task' } }, el('span', { text: task }), downstream(task) ? el('span', { className: 'muted', text: `→ ${downstream(task)}` }) : undefined)),
      ),
    ),
  );
}

function reviewsPanel(page: EntryResult): HTMLElement {
  if (page.mode !== 'service') return el('p', { className: 'muted', text: 'Reviews need the marketplace service (hangar.marketplace.serviceUrl).' });
  const id = page.entry.id;
  const rating = el('vscode-single-select', { attrs: { 'aria-label': 'Your rating' } }) as HTMLElement & { value: string };
  for (const n of ['5', '4', '3', '2', '1']) rating.append(el('vscode-option', { text: `${n} ★`, attrs: { value: n } }));
  const rate = el('vscode-button', { text: 'Rate', attrs: { secondary: '' } });
  rate.addEventListener('click', () => void action(rate, () => request('rate', { id, rating: Number(rating.value || '5') }), id));
  const text = el('vscode-textarea', { attrs: { 'aria-label': 'Your review', placeholder: 'What worked, what did not (2000 characters at most)', maxlength: '2000' } }) as HTMLElement & { value: string };
  const post = el('vscode-button', { text: 'Post review' });
  post.addEventListener('click', () => void action(post, () => request('review', { id, text: text.value }), id));
  const reviews = page.reviews.length
    ? el('ul', { className: 'reviews' }, ...page.reviews.map((r) => el('li', {}, el('p', { className: 'review-text', text: r.text }), el('p', { className: 'muted', text: `${r.user} · ${r.createdAt.slice(0, 10)}` }))))
    : el('p', { className: 'muted', text: 'No reviews yet.' });
  return el('div', {}, el('div', { className: 'rate' }, rating, rate), el('div', { className: 'review-form' }, text, post), reviews);
}

window.addEventListener('message', (event: MessageEvent<HostToWebview>) => {
  const message = event.data;
  if (message.type === 'reply' || message.type === 'error') {
    const waiter = pending.get(message.requestId);
    pending.delete(message.requestId);
    if (message.type === 'reply') waiter?.resolve(message.result);
    else waiter?.reject(new Error(message.message));
    return;
  }
  if (message.type === 'installed') {
    installs.set(message.result.id, message.result);
    if (currentEntry === message.result.id) void showEntry(message.result.id);
    return;
  }
  if (message.type === 'init') {
    mode = message.mode;
    if (message.searchText !== undefined) filters.text = message.searchText || undefined;
    void (message.openEntry ? showEntry(message.openEntry) : showList());
  }
});

document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && document.getElementById('back')) void showList();
  if (event.key === '/' && document.activeElement === document.body) {
    event.preventDefault();
    (document.getElementById('search') as HTMLElement | null)?.focus();
  }
});

vscode.postMessage({ type: 'ready' });
