import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { catalogsFromReposFile } from '../../../server/src/market/config';
import { Marketplace } from '../../../server/src/market/marketplace';
import { renderMarkdown } from '../../../server/src/market/markdown';
import { astroCatalogFiles, communityCatalogFiles, gitRepo, hangarCatalogFiles, HELLO_DAG, scratch } from './catalogRepos';

describe('marketplace catalogs (real Git repositories, three index formats)', () => {
  const { dir, cleanup } = scratch('catalogs');
  let market: Marketplace;

  before(async () => {
    const hangar = gitRepo(dir, 'hangar-catalog', hangarCatalogFiles());
    const community = gitRepo(dir, 'community-pipelines', communityCatalogFiles());
    const astro = gitRepo(dir, 'astro-registry', astroCatalogFiles());
    const broken = gitRepo(dir, 'broken', { 'hangar-catalog.json': '{\n  "entries": [\n    { "id": "x",\n  ]\n}\n' });
    market = await Marketplace.load(
      [
        { name: 'team', url: `file://${hangar}` },
        { name: 'community', url: `file://${community}`, ref: 'main' },
        { name: 'astro', url: `file://${astro}` },
        { name: 'broken', url: `file://${broken}` },
        { name: 'gone', url: `file://${path.join(dir, 'no-such-repo')}` },
      ],
      { cacheDir: path.join(dir, 'cache') },
    );
  });
  after(cleanup);

  it('reads Hangar, community and Astro indexes fetched with Git', () => {
    const ids = market.entries.map((e) => e.id).sort();
    assert.deepEqual(ids, ['astro/train-model', 'community/weekly-report', 'team/hello', 'team/postgres-to-s3']);
    const pg = market.entry('team/postgres-to-s3').entry;
    assert.equal(pg.sha256?.length, 64);
    assert.deepEqual(pg.extraFiles, ['dags/sql/extract.sql']);
    assert.deepEqual(pg.connections.map((c) => c.id), ['postgres_default', 'aws_default']);
  });

  it('reads the community format: categories, contributed_by, prerequisites', () => {
    const report = market.entry('community/weekly-report').entry;
    assert.equal(report.category, 'reporting');
    assert.equal(report.author, 'alice');
    assert.deepEqual(report.providers, [{ name: 'apache-airflow-providers-smtp', version: '>=1.0' }]);
    assert.deepEqual(report.connections, [{ id: 'smtp_default' }]);
    assert.deepEqual(report.variables, [{ name: 'report_recipients' }]);
  });

  it('takes the Astro title and description from the DAG docstring and providers from its imports', () => {
    const model = market.entry('astro/train-model').entry;
    assert.equal(model.title, 'Train a churn model.');
    assert.match(model.description, /gradient boosting/);
    assert.equal(model.category, 'ML');
    assert.deepEqual(model.providers, [{ name: 'apache-airflow-providers-snowflake' }]);
  });

  it('reports a malformed index with file and line while the other catalogs keep working', () => {
    const problem = market.problems.find((p) => p.catalog === 'broken');
    assert.ok(problem, 'the broken catalog is reported');
    assert.equal(problem.file, 'hangar-catalog.json');
    assert.equal(typeof problem.line, 'number');
    assert.ok(problem.line! >= 3 && problem.line! <= 4, `line ${problem.line}`);
    assert.equal(market.entries.length, 4);
    assert.match(market.problems.find((p) => p.catalog === 'gone')?.message ?? '', /cannot fetch catalog "gone"/);
  });

  it('reads the catalogs: list of airflow-repos.yaml (a Git URL with a ref, and a folder relative to the file)', async () => {
    const config = path.join(dir, 'workspace', 'airflow-repos.yaml');
    mkdirSync(path.dirname(config), { recursive: true });
    writeFileSync(config, `# team config\ncatalogs:\n  - name: team\n    url: file://${path.join(dir, 'hangar-catalog')}\n    ref: main\n  - name: local\n    url: ../astro-registry\n`);
    const sources = catalogsFromReposFile(config);
    assert.deepEqual(sources.map((s) => [s.name, s.path ?? s.url]), [['team', `file://${path.join(dir, 'hangar-catalog')}`], ['local', path.join(dir, 'astro-registry')]]);
    const fromConfig = await Marketplace.load(sources, { cacheDir: path.join(dir, 'cache2') });
    assert.deepEqual(fromConfig.entries.map((e) => e.id).sort(), ['local/train-model', 'team/hello', 'team/postgres-to-s3']);
  });

  it('dates entries from the Git history for "recently updated"', () => {
    assert.match(market.entry('community/weekly-report').entry.updated ?? '', /^\d{4}-\d{2}-\d{2}T/);
  });

  it('searches fuzzily over names, descriptions, tags and providers, with filters and sort', () => {
    assert.equal(market.find({ text: 'postgre' }).hits[0]?.entry.id, 'team/postgres-to-s3');
    assert.equal(market.find({ text: 'snowflak' }).hits[0]?.entry.id, 'astro/train-model', 'provider, fuzzy');
    assert.equal(market.find({ text: 'exprt' }).hits[0]?.entry.id, 'team/postgres-to-s3', 'tag with a typo');
    assert.deepEqual(market.find({ category: 'reporting' }).hits.map((h) => h.entry.id), ['community/weekly-report']);
    assert.deepEqual(market.find({ status: 'beta' }).hits.map((h) => h.entry.id), ['team/hello']);
    assert.deepEqual(market.find({ provider: 'apache-airflow-providers-amazon' }).hits.map((h) => h.entry.id), ['team/postgres-to-s3']);
    const onAirflow2 = market.find({ airflowVersion: '2.9.3' }).hits.map((h) => h.entry.id);
    assert.ok(onAirflow2.includes('team/postgres-to-s3') && !onAirflow2.includes('team/hello'), 'Airflow 3 only entry hidden on 2.9');
    market.setStats(new Map([['team/hello', { rating: 4.5, ratings: 2, installs: 1 }], ['astro/train-model', { rating: 3, ratings: 1, installs: 9 }]]));
    assert.equal(market.find({ sort: 'rating' }).hits[0]?.entry.id, 'team/hello');
    assert.equal(market.find({ sort: 'installs' }).hits[0]?.entry.id, 'astro/train-model');
  });

  it('shows details: sanitised markdown, tasks, validation badge', async () => {
    const details = await market.details('team/postgres-to-s3');
    assert.match(details.descriptionHtml, /<strong>tables<\/strong>/);
    assert.doesNotMatch(details.descriptionHtml, /<script>/);
    assert.match(details.descriptionHtml, /&lt;script&gt;/);
    assert.deepEqual(details.tasks, ['extract', 'load']);
    assert.equal(details.badge, 'passed');
    assert.doesNotMatch(renderMarkdown('[x](javascript:alert(1))'), /href="javascript/);
  });

  it('renders untrusted markdown without any active content', () => {
    const attacks = [
      '<img src=x onerror=alert(1)>',
      '<iframe src="https://evil.example"></iframe>',
      '[a](JaVaScRiPt:alert(1)) [b](vbscript:msgbox) [c](data:text/html;base64,PHNjcmlwdD4=) [d](file:///etc/passwd)',
      '![tracker](https://evil.example/pixel.png)',
      '<a href="javascript:alert(1)">x</a> <svg onload=alert(1)>',
      '[ok](https://airflow.apache.org/docs/)',
    ].join('\n\n');
    const html = renderMarkdown(attacks);
    assert.doesNotMatch(html, /<(img|iframe|svg|script|a href="(?!https:))/i);
    assert.doesNotMatch(html, /href="(javascript|vbscript|data|file):/i);
    assert.match(html, /<a href="https:\/\/airflow\.apache\.org\/docs\/">ok<\/a>/);
    assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/, 'raw HTML is shown as text');
  });
});

describe('marketplace catalogs reject paths that escape the catalog', () => {
  const { dir, cleanup } = scratch('escape');
  after(cleanup);

  it('rejects ../, absolute paths and symlinks out of the catalog, keeping the good entries', async () => {
    writeFileSync(path.join(dir, 'secret.py'), '# outside the catalog\n');
    const root = gitRepo(dir, 'evil', {
      'dags/ok.py': HELLO_DAG,
      '.astro-registry.yaml': 'dags:\n  - path: dags/ok.py\n  - path: ../secret.py\n  - path: /etc/passwd\n  - path: dags/link.py\n  - path: dags/../../secret.py\n',
    });
    symlinkSync(path.join(dir, 'secret.py'), path.join(root, 'dags', 'link.py'));
    const market = await Marketplace.load([{ name: 'evil', path: root }]);
    assert.deepEqual(market.entries.map((e) => e.id), ['evil/ok']);
    const messages = market.problems.map((p) => `${p.line}: ${p.message}`);
    assert.equal(messages.length, 4, messages.join('\n'));
    assert.match(messages[0]!, /^3: .*leaves the catalog/);
    assert.match(messages[1]!, /^4: .*absolute path/);
    assert.match(messages[2]!, /^5: .*outside the catalog \(symlink\)/);
    assert.match(messages[3]!, /^6: .*leaves the catalog/);
  });

  it('rejects escaping source files and extra files in the Hangar index and the community registry', async () => {
    const files = hangarCatalogFiles();
    const index = JSON.parse(files['hangar-catalog.json']!) as { entries: { source: { path: string; files?: string[] } }[] };
    index.entries[0]!.source.files = ['../../etc/passwd'];
    index.entries[1]!.source.path = '/etc/hostname';
    const root = gitRepo(dir, 'evil-hangar', { ...files, 'hangar-catalog.json': JSON.stringify(index, null, 2) });
    const community = gitRepo(dir, 'evil-community', {
      'dags/registry.yaml': 'categories:\n  x:\n    dags:\n      - name: Escape\n        file: ../../secret.py\n',
    });
    const market = await Marketplace.load([{ name: 'h', path: root }, { name: 'c', path: community }]);
    assert.equal(market.entries.length, 0);
    assert.equal(market.problems.length, 3, market.problems.map((p) => p.message).join('\n'));
    assert.ok(market.problems.every((p) => typeof p.line === 'number'));
  });

  it('reports schema violations with the line of the offending entry', async () => {
    const files = hangarCatalogFiles();
    const index = JSON.parse(files['hangar-catalog.json']!) as { entries: Record<string, unknown>[] };
    index.entries[1]!.sha256 = 'not-a-hash';
    const root = gitRepo(dir, 'schema', { ...files, 'hangar-catalog.json': JSON.stringify(index, null, 2) });
    const market = await Marketplace.load([{ name: 's', path: root }]);
    assert.deepEqual(market.entries.map((e) => e.id), ['s/postgres-to-s3']);
    assert.match(market.problems[0]!.message, /sha256/);
    const text = JSON.stringify(index, null, 2).split('\n');
    assert.equal(text[market.problems[0]!.line! - 1]?.includes('not-a-hash'), true);
  });
});
