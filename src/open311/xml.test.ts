import { DOMParser } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { element, escapeXml, leaf, list, toSparkJson, toXml } from './xml.ts';

describe('Open311 documents', () => {
  const doc = list('services', [
    element('service', [leaf('service_code', '001'), leaf('metadata', true), leaf('description', null)]),
    element('service', [leaf('service_code', '002'), leaf('metadata', false), leaf('description', 'a < b & "c"')]),
  ]);

  it('renders XML with the declaration, escaped text, empty elements for null', () => {
    const xml = toXml(doc);
    expect(xml.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<services>')).toBe(true);
    expect(xml).toContain('<description/>');
    expect(xml).toContain('<description>a &lt; b &amp; &quot;c&quot;</description>');
    const parsed = new DOMParser().parseFromString(xml, 'text/xml');
    const services = parsed.getElementsByTagName('service');
    expect(services.length).toBe(2);
    expect(services[1]?.getElementsByTagName('description')[0]?.textContent).toBe('a < b & "c"');
  });

  it('drops characters XML 1.0 cannot carry, keeps line breaks and Chinese', () => {
    expect(escapeXml('垃圾\u0000堆积\u0008\n第二行\u0007')).toBe('垃圾堆积\n第二行');
    expect(escapeXml('\uD800x')).toBe('x');
    expect(escapeXml('😀')).toBe('😀');
  });

  it('maps to JSON by the Spark convention: lists → arrays, elements → objects, leaves keep their type', () => {
    expect(toSparkJson(doc)).toEqual([
      { service_code: '001', metadata: true, description: null },
      { service_code: '002', metadata: false, description: 'a < b & "c"' },
    ]);
    const discovery = element('discovery', [
      leaf('changeset', 'x'),
      list('endpoints', [
        element('endpoint', [list('formats', [leaf('format', 'text/xml'), leaf('format', 'application/json')])]),
      ]),
    ]);
    expect(toSparkJson(discovery)).toEqual({
      changeset: 'x',
      endpoints: [{ formats: ['text/xml', 'application/json'] }],
    });
    expect(Object.keys(toSparkJson(doc) as object[])).toEqual(['0', '1']);
  });

  it('renders an empty list as an empty element and an empty array', () => {
    expect(toXml(list('service_requests', []))).toContain('<service_requests/>');
    expect(toSparkJson(list('service_requests', []))).toEqual([]);
  });
});
