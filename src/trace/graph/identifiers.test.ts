import { describe, expect, it } from 'vitest';
import { describeIdentifier, elementString, isAbsoluteUri, normaliseIdentifier } from './identifiers.ts';

describe('identifiers', () => {
  it('normalises EPC URIs and Digital Links as capture indexes them, anything else as given', () => {
    expect(normaliseIdentifier(' urn:epc:class:lgtin:6903456.030001.L1 ')).toBe(
      'https://id.gs1.org/01/06903456300011/10/L1',
    );
    expect(normaliseIdentifier('https://shop.example.com/gtin/06903456300011/lot/L1?x=1')).toBe(
      'https://id.gs1.org/01/06903456300011/10/L1',
    );
    expect(normaliseIdentifier('urn:epc:id:sscc:6903456.0000000002')).toBe('https://id.gs1.org/00/069034560000000027');
    expect(normaliseIdentifier('urn:example:thing:1')).toBe('urn:example:thing:1');
  });

  it('tells lots, items, products, containers, locations and parties apart', () => {
    expect(describeIdentifier('https://id.gs1.org/01/06903456300011/10/L%2F1')).toEqual({
      kind: 'lot',
      gtin: '06903456300011',
      lot: 'L/1',
      label: '批次 L/1',
    });
    expect(describeIdentifier('https://id.gs1.org/01/06903456300011/21/7').kind).toBe('item');
    expect(describeIdentifier('https://id.gs1.org/01/06903456300011').kind).toBe('product');
    expect(describeIdentifier('https://id.gs1.org/00/069034560000000027').kind).toBe('container');
    expect(describeIdentifier('https://id.gs1.org/414/6903456000010/254/2').label).toBe('GLN 6903456000010/2');
    expect(describeIdentifier('https://id.gs1.org/417/6903456000003').kind).toBe('party');
    expect(describeIdentifier('urn:example:x')).toEqual({ kind: 'identifier', label: 'urn:example:x' });
  });

  it('writes GS1 element strings for lot codes', () => {
    expect(elementString('https://id.gs1.org/01/06903456300011/10/L1')).toBe('(01)06903456300011(10)L1');
    expect(elementString('https://id.gs1.org/00/069034560000000027')).toBe('(00)069034560000000027');
    expect(elementString('urn:example:x')).toBe('urn:example:x');
  });

  it('accepts only absolute URIs as queries', () => {
    expect(isAbsoluteUri('urn:epc:id:sgtin:1.2.3')).toBe(true);
    expect(isAbsoluteUri('https://id.gs1.org/01/1')).toBe(true);
    expect(isAbsoluteUri('L1')).toBe(false);
    expect(isAbsoluteUri('has space:x y')).toBe(false);
  });
});
