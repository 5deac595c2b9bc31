/**
 * The strict reader of hwloc's XML subset: what hwloc writes reads back exactly (entities included), and what is
 * not well-formed is refused with the line it was found on, never half-read into a machine.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { importTopology, hwlocXmlFromTopology, readSysfsTopology } from '../../app/topology';
import { escapeXml, parseXml } from '../../app/topology/hwloc-xml-parse';
import { formatHwlocBitmap, parseHwlocBitmap } from '../../app/topology/hwloc-xml-bitmap';
import { fixtureRoot } from '../helpers/fixtures';

/** lstopo's XML of a real dump, the base every malformed variant below is cut from. */
const good = execFileSync(
  'lstopo',
  ['--input', fixtureRoot('x86-2p-4c-2node'), '--no-io', '--of', 'xml', '-'],
  {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  },
);

function refused(text: string, re: RegExp): void {
  assert.throws(
    () => importTopology(text, 'bad.xml'),
    (e: Error) => {
      assert.match(e.message, re);
      assert.equal(e.message.split('\n').length, 1, 'one line');
      return true;
    },
  );
}

describe('malformed XML is refused with its line', () => {
  const lines = good.split('\n');
  const lineOf = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;

  test('a truncated file names the element left open', () => {
    const cut = good.slice(0, good.lastIndexOf('<object type="Package"'));
    refused(cut, /^bad\.xml is not well-formed XML: line \d+: <object> opened on line 4 is never closed/);
  });

  test('a mismatched end tag names both lines', () => {
    const n = lineOf('</object>');
    const broken = lines.map((l, i) => (i === n - 1 ? l.replace('</object>', '</objekt>') : l)).join('\n');
    refused(broken, new RegExp(`line ${n}: </objekt> closes <object> opened on line \\d+`));
  });

  test('an unquoted attribute, an unknown entity, a raw "&", "<" in a value', () => {
    const n = lineOf('type="Package"');
    const edit = (from: string, to: string) =>
      lines.map((l, i) => (i === n - 1 ? l.replace(from, to) : l)).join('\n');
    refused(
      edit('os_index="0"', 'os_index=0'),
      new RegExp(`line ${n}: the value of attribute os_index of <object> must be quoted`),
    );
    refused(edit('type="Package"', 'type="Pack&nbsp;age"'), new RegExp(`line ${n}: unknown entity "&nbsp;"`));
    refused(edit('type="Package"', 'type="A & B"'), new RegExp(`line ${n}: "&" not starting an entity`));
    refused(
      edit('type="Package"', 'type="a<b"'),
      new RegExp(`line ${n}: "<" in the value of attribute type`),
    );
    refused(
      edit('type="Package"', 'type="Package" type="Core"'),
      new RegExp(`line ${n}: attribute type given twice`),
    );
  });

  test('text after the root, a second root, CDATA, an internal DTD subset', () => {
    refused(good + 'junk', /line \d+: text after the root element: "junk"/);
    refused(good + '<topology/>', /a second root element/);
    refused(
      good.replace('<topology version="2.0">', '<topology version="2.0"><![CDATA[x]]>'),
      /line 3: CDATA sections are not part of hwloc XML/,
    );
    refused(
      good.replace('"hwloc2.dtd">', '"hwloc2.dtd" [<!ENTITY x "y">]>'),
      /line 2: a DOCTYPE with an internal subset/,
    );
  });

  test('XML that is not an hwloc topology, and a topology without CPUs', () => {
    refused(
      '<?xml version="1.0"?>\n<svg width="10"/>\n',
      /bad\.xml is XML but not an hwloc topology: its root is <svg>/,
    );
    refused('<topology version="2.0"><object type="Machine" cpuset="0x0"/></topology>', /no PU object/);
    refused(good.replace('os_index="3"', 'os_index="2"'), /PU 2 appears twice/);
  });

  test('bytes of a damaged file reach the message escaped', () => {
    refused(good.replace('type="Package"', 'type="Pack\u001b[31m&bogus;"'), /unknown entity "&bogus;"/);
    refused('<topology>\u001b[2J</topolog>', /closes <topology>/);
    assert.throws(
      () => importTopology('<topology>\u001b[2J<\u0007', 'bad.xml'),
      (e: Error) => {
        assert.doesNotMatch(e.message, /[\u0000-\u001f]/);
        return true;
      },
    );
  });
});

describe('what hwloc writes reads back exactly', () => {
  test('the five entities and character references decode; the writer escapes them', () => {
    const el = parseXml(
      `<?xml version="1.0"?>\n<!-- c -->\n<a x="&lt;&amp;&gt;&quot;&apos;&#65;&#x42;" y='1'>t&amp;t<b/></a>`,
    );
    assert.equal(el.attrs.x, `<&>"'AB`);
    assert.equal(el.attrs.y, '1');
    assert.equal(el.text, 't&t');
    assert.equal(el.children[0]!.name, 'b');
    const nasty = `CPU "X" <fast> & 'small'\ttab`;
    assert.equal(parseXml(`<a v="${escapeXml(nasty)}"/>`).attrs.v, nasty);
  });

  test('a model name with markup characters survives our XML, and lstopo reads it the same', async () => {
    const t = await readSysfsTopology(fixtureRoot('x86-2p-4c-2node'));
    t.model = `AMD <EPYC> "7763" & 'friends'`;
    const xml = hwlocXmlFromTopology(t);
    assert.equal(importTopology(xml, 'ours.xml').model, t.model);
  });

  test('hwloc bitmaps: multi-word, empty words, infinite prefix, and the writer matches lstopo', () => {
    assert.deepEqual(parseHwlocBitmap('0x00000001,0x80000000'), [31, 32]);
    assert.deepEqual(parseHwlocBitmap('0x000000ff,,0x00000001'), [0, 64, 65, 66, 67, 68, 69, 70, 71]);
    assert.deepEqual(parseHwlocBitmap('0xf...f,0x00000003'), [0, 1]);
    assert.deepEqual(parseHwlocBitmap('0x0'), []);
    assert.equal(parseHwlocBitmap('0xzz'), null);
    assert.equal(formatHwlocBitmap([]), '0x0');
    assert.equal(formatHwlocBitmap([0, 1, 2, 3]), '0x0000000f');
    assert.equal(formatHwlocBitmap([32, 0]), '0x00000001,0x00000001');
    assert.match(good, /cpuset="0x0000000f"/);
  });

  test('CRLF line ends and a byte-order mark are read as lstopo output', () => {
    const t = importTopology('\uFEFF' + good.replace(/\n/g, '\r\n'), 'crlf.xml');
    assert.equal(t.cpus.length, 4);
    assert.equal(t.nodes.length, 2);
  });
});

describe('input built to exhaust memory', () => {
  test('a cpuset longer than any machine is refused, not expanded', () => {
    const huge = Array.from({ length: 100_000 }, () => '0xffffffff').join(',');
    const t0 = Date.now();
    assert.throws(
      () =>
        importTopology(good.replace(/complete_cpuset="0x0000000f"/, `complete_cpuset="${huge}"`), 'huge.xml'),
      /huge\.xml: line 4: complete_cpuset ".*" is not an hwloc bitmap \(of at most 65536 ids\)/,
    );
    assert.ok(Date.now() - t0 < 2000);
  });

  test('nesting deeper than any topology is refused', () => {
    const deep = '<topology>' + '<object type="Group">'.repeat(300) + '</object>'.repeat(300) + '</topology>';
    assert.throws(
      () => importTopology(deep, 'deep.xml'),
      /deep\.xml is not well-formed XML: line 1: elements nested deeper than 256 levels/,
    );
  });
});
