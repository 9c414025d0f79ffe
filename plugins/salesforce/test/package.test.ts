/**
 * The Salesforce package as an org would take it, checked without one: every Apex class parses
 * with a maintained parser and has a test class that mocks its callouts; every *-meta.xml is
 * well-formed and names only what the package has (quick action → component, component →
 * @AuraEnabled Apex method, permission sets and report type → fields, named credential →
 * external credential); and the fields Chaseline's connector writes are all in the package.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { XMLValidator } from 'fast-xml-parser';
import { ACTIVITY_FIELDS, CHASE_ENDED_EVENT, CHASE_ENDED_FIELDS, PERSON_FIELDS } from '../../../connectors/salesforce/package.ts';
import { annotatedMethods, method, parseApex, type ParsedApex } from './apex.ts';
import { fieldNames, filesUnder, PROJECT, readXml, SOURCE, type Xml } from './metadata.ts';

const CLASSES = path.join(SOURCE, 'classes');
const classFiles = filesUnder(CLASSES, '.cls');
const apex = new Map<string, ParsedApex & { source: string }>(
  classFiles.map((f) => {
    const source = readFileSync(f, 'utf8');
    return [path.basename(f, '.cls'), { ...parseApex(source), source }];
  }),
);
const isTest = (name: string) => /^\s*(\/\*[\s\S]*?\*\/\s*)?@IsTest\b/i.test(apex.get(name)!.source);
const productClasses = [...apex.keys()].filter((n) => !isTest(n));
const sourceApiVersion = (JSON.parse(readFileSync(path.join(PROJECT, 'sfdx-project.json'), 'utf8')) as { sourceApiVersion: string }).sourceApiVersion;

describe('Apex', () => {
  test('the package has its classes: a client, a controller, the Flow action, and their tests', () => {
    assert.deepEqual(productClasses.sort(), ['ChaselineClient', 'ChaselineController', 'ChaselineStartChase']);
  });

  for (const [name, parsed] of apex) {
    test(`${name}.cls parses with no syntax error and has its -meta.xml`, () => {
      assert.deepEqual(parsed.errors, []);
      const meta = path.join(CLASSES, `${name}.cls-meta.xml`);
      assert.ok(existsSync(meta), `${name}.cls-meta.xml`);
      const xml = readXml(meta);
      assert.equal(xml.status, 'Active');
      assert.equal(xml.apiVersion, sourceApiVersion);
    });
  }

  test('a broken class is caught: the parser reports its syntax errors', () => {
    assert.notDeepEqual(parseApex('public class Broken { void f() { Integer x = ; } }').errors, []);
    assert.notDeepEqual(parseApex("public class Broken { String s = 'unterminated; }").errors, []);
  });

  /** Methods that make a callout: ChaselineClient.send and, transitively, whatever calls one. */
  function calloutMethods(): Set<string> {
    const found = new Set(['ChaselineClient.send']);
    const bodies = productClasses.flatMap((cls) =>
      [...apex.get(cls)!.source.matchAll(/(?:public|private|global)\s+static\s+[\w<>, ]+\s+(\w+)\s*\(/g)].map((m) => ({
        cls,
        name: m[1]!,
        body: method(apex.get(cls)!.unit, m[1]!).getText(),
      })),
    );
    for (let grew = true; grew;) {
      grew = false;
      for (const m of bodies) {
        const key = `${m.cls}.${m.name}`;
        if (found.has(key)) continue;
        const calls = [...found].some((f) => {
          const [cls, name] = f.split('.') as [string, string];
          return m.body.includes(`${cls}.${name}(`) || (cls === m.cls && new RegExp(`(^|[^.\\w])${name}\\(`).test(m.body));
        });
        if (calls) {
          found.add(key);
          grew = true;
        }
      }
    }
    return found;
  }

  test('every class has a test class, and every test that reaches a callout sets an HttpCalloutMock', () => {
    const callouts = calloutMethods();
    assert.ok(callouts.has('ChaselineController.startChase') && callouts.has('ChaselineStartChase.start'), [...callouts].join(', '));
    for (const cls of productClasses) {
      const testName = `${cls}Test`;
      assert.ok(apex.has(testName) && isTest(testName), `${testName}.cls (@IsTest)`);
      const tests = [...apex.get(testName)!.source.matchAll(/@IsTest\s+static\s+void\s+(\w+)\s*\(/g)].map((m) => m[1]!);
      assert.ok(tests.length >= 2, `${testName} tests more than one case`);
      for (const t of tests) {
        const body = method(apex.get(testName)!.unit, t).getText();
        assert.match(body, /Assert\.\w+\(/, `${testName}.${t} asserts`);
        const reaches = [...callouts].some((c) => body.includes(`${c}(`));
        if (reaches)
          assert.ok(body.includes('Test.setMock(HttpCalloutMock.class,'), `${testName}.${t} reaches a callout without Test.setMock(HttpCalloutMock.class, …)`);
      }
    }
    assert.match(apex.get('ChaselineMock')!.source, /@IsTest\s+public class ChaselineMock implements HttpCalloutMock/);
  });

  test('Flow gets an invocable "Start Chase" action; callouts go through the Chaseline named credential', () => {
    const start = apex.get('ChaselineStartChase')!;
    assert.deepEqual(annotatedMethods(start.unit, 'InvocableMethod'), ['start']);
    assert.match(start.source, /@InvocableMethod\(label='Start Chase'[^)]*callout=true/);
    for (const output of ['chaseId', 'status', 'error']) assert.match(start.source, new RegExp(`@InvocableVariable\\([^)]*\\)\\s+public String ${output};`));
    const client = apex.get('ChaselineClient')!.source;
    assert.match(client, /ENDPOINT = 'callout:Chaseline'/);
    assert.doesNotMatch(client, /setHeader\('Authorization'/, 'the key comes from the external credential');
  });
});

describe('metadata', () => {
  const metaFiles = filesUnder(SOURCE, '-meta.xml');

  test('every *-meta.xml is well-formed XML in the metadata namespace', () => {
    assert.ok(metaFiles.length > 30, `${metaFiles.length} files`);
    for (const file of metaFiles) {
      const text = readFileSync(file, 'utf8');
      const valid = XMLValidator.validate(text);
      assert.equal(valid, true, `${path.relative(SOURCE, file)}: ${JSON.stringify(valid)}`);
      assert.match(text, /xmlns="http:\/\/soap\.sforce\.com\/2006\/04\/metadata"/, path.relative(SOURCE, file));
    }
    assert.notEqual(XMLValidator.validate('<CustomField><label>x</CustomField>'), true, 'the validator catches a broken file');
  });

  const components = new Set(filesUnder(path.join(SOURCE, 'lwc'), '.js-meta.xml').map((f) => path.basename(f, '.js-meta.xml')));

  test('the quick actions on Contact and Lead open the start-chase component as a screen action', () => {
    for (const object of ['Contact', 'Lead']) {
      const action = readXml(path.join(SOURCE, `quickActions/${object}.Start_Chase.quickAction-meta.xml`));
      assert.equal(action.type, 'LightningWebComponent');
      assert.equal(action.actionSubtype, 'ScreenAction');
      assert.ok(components.has(action.lightningWebComponent), `component ${action.lightningWebComponent}`);
      const bundle = readXml(path.join(SOURCE, 'lwc', action.lightningWebComponent, `${action.lightningWebComponent}.js-meta.xml`));
      assert.equal(bundle.isExposed, 'true');
      assert.ok(bundle.targets[0].target.includes('lightning__RecordAction'));
      assert.equal(bundle.targetConfigs.targetConfig.find((c: Xml) => c['@targets'] === 'lightning__RecordAction').actionType, 'ScreenAction');
    }
    const timeline = readXml(path.join(SOURCE, 'lwc/chaselineTimeline/chaselineTimeline.js-meta.xml'));
    assert.ok(timeline.targets[0].target.includes('lightning__RecordPage'));
  });

  test('each component imports only @AuraEnabled Apex methods and components that exist', () => {
    const aura = new Map([...apex].map(([name, p]) => [name, new Set(annotatedMethods(p.unit, 'AuraEnabled'))]));
    let imports = 0;
    for (const file of filesUnder(path.join(SOURCE, 'lwc'), '.js').filter((f) => !f.includes('__tests__'))) {
      const js = readFileSync(file, 'utf8');
      for (const [, cls, name] of js.matchAll(/from '@salesforce\/apex\/(\w+)\.(\w+)'/g)) {
        imports++;
        assert.ok(aura.get(cls!)?.has(name!), `${path.basename(file)} imports ${cls}.${name}, which is no @AuraEnabled method`);
      }
      for (const [, c] of js.matchAll(/from 'c\/(\w+)'/g)) assert.ok(components.has(c!), `${path.basename(file)} imports c/${c}`);
    }
    assert.ok(imports >= 4, `${imports} Apex imports`);
  });

  const fields = new Set(['Contact', 'Lead', 'Activity', CHASE_ENDED_EVENT].flatMap((o) => fieldNames(o).map((f) => `${o}.${f}`)));

  test('the permission sets grant fields, classes and the API key principal the package has', () => {
    const credential = readXml(path.join(SOURCE, 'externalCredentials/Chaseline.externalCredential-meta.xml'));
    const principals = (credential.externalCredentialParameters as Xml[])
      .filter((p) => p.parameterType === 'NamedPrincipal')
      .map((p) => `Chaseline-${p.parameterName}`);
    for (const file of filesUnder(path.join(SOURCE, 'permissionsets'), '.permissionset-meta.xml')) {
      const set = readXml(file);
      for (const f of set.fieldPermissions ?? []) assert.ok(fields.has(f.field), `${path.basename(file)}: field ${f.field}`);
      for (const c of set.classAccesses ?? []) assert.ok(productClasses.includes(c.apexClass), `${path.basename(file)}: class ${c.apexClass}`);
      for (const p of set.externalCredentialPrincipalAccesses ?? [])
        assert.ok(principals.includes(p.externalCredentialPrincipal), `${path.basename(file)}: principal ${p.externalCredentialPrincipal}`);
      for (const o of set.objectPermissions ?? []) assert.ok(existsSync(path.join(SOURCE, 'objects', o.object)), `${path.basename(file)}: object ${o.object}`);
    }
    const user = readXml(path.join(SOURCE, 'permissionsets/Chaseline_User.permissionset-meta.xml'));
    assert.deepEqual(
      user.externalCredentialPrincipalAccesses.map((p: Xml) => p.externalCredentialPrincipal),
      principals,
      'users of the components may use the API key',
    );
    assert.deepEqual(user.classAccesses.map((c: Xml) => c.apexClass).sort(), productClasses.sort());
  });

  test('the report type shows Chaseline fields the package has, on Contacts with their Tasks', () => {
    const report = readXml(path.join(SOURCE, 'reportTypes/Chaseline_Call_Outcomes.reportType-meta.xml'));
    assert.equal(report.baseObject, 'Contact');
    const columns = (report.sections as Xml[]).flatMap((s) => s.columns as Xml[]);
    const custom = columns.filter((c) => String(c.field).endsWith('__c'));
    for (const c of custom) {
      const object = c.table === 'Contact' ? 'Contact' : c.table === `Contact.${report.join.relationship}` ? 'Activity' : null;
      assert.ok(object && fields.has(`${object}.${c.field}`), `report type column ${c.table}.${c.field}`);
    }
    for (const f of Object.values(ACTIVITY_FIELDS))
      assert.ok(
        custom.some((c) => c.field === f),
        `the report type offers ${f}`,
      );
  });

  test('the named credential authenticates with the external credential, which sends the API key as a bearer token', () => {
    const named = readXml(path.join(SOURCE, 'namedCredentials/Chaseline.namedCredential-meta.xml'));
    const auth = (named.namedCredentialParameters as Xml[]).find((p) => p.parameterType === 'Authentication');
    assert.ok(
      existsSync(path.join(SOURCE, `externalCredentials/${auth?.externalCredential}.externalCredential-meta.xml`)),
      `external credential ${auth?.externalCredential}`,
    );
    assert.equal(named.allowMergeFieldsInHeader, 'true');
    const credential = readXml(path.join(SOURCE, 'externalCredentials/Chaseline.externalCredential-meta.xml'));
    assert.equal(credential.authenticationProtocol, 'Custom');
    const header = (credential.externalCredentialParameters as Xml[]).find((p) => p.parameterType === 'AuthHeader');
    assert.equal(header?.parameterValue, 'Bearer {!$Credential.Chaseline.ApiKey}');
  });

  test('every field and event the connector writes is in the package', () => {
    for (const object of ['Contact', 'Lead']) for (const f of Object.values(PERSON_FIELDS)) assert.ok(fields.has(`${object}.${f}`), `${object}.${f}`);
    for (const f of Object.values(ACTIVITY_FIELDS)) assert.ok(fields.has(`Activity.${f}`), `Activity.${f}`);
    assert.ok(existsSync(path.join(SOURCE, `objects/${CHASE_ENDED_EVENT}/${CHASE_ENDED_EVENT}.object-meta.xml`)));
    assert.deepEqual(fieldNames(CHASE_ENDED_EVENT).sort(), Object.values(CHASE_ENDED_FIELDS).sort(), 'the event carries exactly what Chaseline sends');
    const event = readXml(path.join(SOURCE, `objects/${CHASE_ENDED_EVENT}/${CHASE_ENDED_EVENT}.object-meta.xml`));
    assert.equal(event.eventType, 'HighVolume');
  });
});
