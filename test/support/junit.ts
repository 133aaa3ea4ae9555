/** Reads a JUnit XML report with a real XML parser and checks it has the shape CI systems read. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

interface XmlElement {
  readonly tag: string;
  readonly attributes: Record<string, string>;
  readonly text: string;
  readonly children: XmlElement[];
}

export interface JUnitReport {
  readonly suites: Array<{ readonly name: string; readonly cases: Array<{ readonly name: string; readonly failure?: { readonly message: string; readonly details: string } }> }>;
}

/** The attributes the JUnit schema (the Ant/Surefire format Jenkins, GitLab and GitHub read) allows on each element. */
const ALLOWED: Record<string, readonly string[]> = {
  testsuites: ['name', 'tests', 'failures', 'errors', 'time', 'disabled'],
  testsuite: ['name', 'tests', 'failures', 'errors', 'time', 'skipped', 'timestamp', 'hostname', 'id', 'package', 'disabled'],
  testcase: ['name', 'classname', 'time', 'assertions', 'status'],
  failure: ['message', 'type'],
};

const count = (value: string | undefined, what: string): number => {
  assert.match(value ?? '', /^\d+$/, `${what} is a whole number`);
  return Number(value);
};
const seconds = (value: string | undefined, what: string): number => {
  assert.match(value ?? '', /^\d+(\.\d+)?$/, `${what} is a time in seconds`);
  return Number(value);
};

function checkAttributes(element: XmlElement): void {
  const allowed = ALLOWED[element.tag];
  assert.ok(allowed, `unexpected element <${element.tag}>`);
  for (const name of Object.keys(element.attributes)) assert.ok(allowed.includes(name), `<${element.tag}> has an attribute the schema does not define: ${name}`);
}

/** Parses `file` with Python's ElementTree, asserts the JUnit shape and consistent counts, and returns its content. */
export function readJUnit(file: string): JUnitReport {
  const json = execFileSync('python3', [path.join(__dirname, 'python', 'junit_tree.py'), file], { encoding: 'utf8' });
  const root = JSON.parse(json) as XmlElement;
  assert.equal(root.tag, 'testsuites');
  checkAttributes(root);
  let allCases = 0;
  let allFailures = 0;
  const suites = root.children.map((suite) => {
    assert.equal(suite.tag, 'testsuite');
    checkAttributes(suite);
    assert.ok(suite.attributes.name, 'a testsuite has a name');
    let time = 0;
    const cases = suite.children.map((testcase) => {
      assert.equal(testcase.tag, 'testcase', `<testsuite> holds only <testcase> elements`);
      checkAttributes(testcase);
      assert.ok(testcase.attributes.name && testcase.attributes.classname, 'a testcase has a name and a classname');
      time += seconds(testcase.attributes.time, 'testcase time');
      assert.ok(testcase.children.length <= 1, 'at most one <failure> per testcase');
      const failure = testcase.children[0];
      if (!failure) return { name: testcase.attributes.name };
      assert.equal(failure.tag, 'failure');
      checkAttributes(failure);
      assert.ok(failure.attributes.message, 'a failure has a message');
      return { name: testcase.attributes.name, failure: { message: failure.attributes.message, details: failure.text } };
    });
    const failures = cases.filter((c) => c.failure).length;
    assert.equal(count(suite.attributes.tests, 'testsuite tests'), cases.length, `testsuite ${suite.attributes.name}: tests`);
    assert.equal(count(suite.attributes.failures, 'testsuite failures'), failures, `testsuite ${suite.attributes.name}: failures`);
    assert.ok(Math.abs(seconds(suite.attributes.time, 'testsuite time') - time) < 0.001 * (cases.length + 1), `testsuite ${suite.attributes.name}: time is the sum of its cases`);
    allCases += cases.length;
    allFailures += failures;
    return { name: suite.attributes.name, cases };
  });
  assert.equal(count(root.attributes.tests, 'testsuites tests'), allCases);
  assert.equal(count(root.attributes.failures, 'testsuites failures'), allFailures);
  return { suites };
}
