import { describe, expect, it } from 'vitest';
import { bizSteps, dispositions, sourceDestTypes, termOf, toBare, toXml, vocabularyProblem } from './vocabulary.ts';

describe('CBV vocabularies in their spellings (CBV 2.0 §6–§7)', () => {
  it.each([
    'shipping',
    'urn:epcglobal:cbv:bizstep:shipping',
    'https://ref.gs1.org/cbv/BizStep-shipping',
    'cbv:BizStep-shipping',
  ])('reads %s as the term shipping', (v) => {
    expect(termOf(bizSteps, v)).toBe('shipping');
    expect(toBare(bizSteps, v)).toBe('shipping');
    expect(vocabularyProblem(bizSteps, v)).toBeUndefined();
  });

  it.each([
    ['dancing', /neither a standard CBV 2.0 business step .* nor an absolute URI/],
    ['urn:epcglobal:cbv:bizstep:dancing', /not a standard CBV 2.0 business step/],
    ['https://ref.gs1.org/cbv/BizStep-dancing', /not a standard CBV 2.0 business step/],
  ])('refuses %s', (v, message) => {
    expect(vocabularyProblem(bizSteps, v)).toMatch(message);
  });

  it('accepts custom values as absolute URIs, outside the vocabulary’s namespace', () => {
    expect(vocabularyProblem(bizSteps, 'https://example.com/bizStep/inspecting')).toBeUndefined();
    expect(vocabularyProblem(sourceDestTypes, 'cbv:my_own_party')).toBeUndefined();
    expect(toBare(bizSteps, 'https://example.com/x')).toBe('https://example.com/x');
  });

  it('writes standard values for XML as Web URIs or URNs, custom ones as given', () => {
    expect(toXml(dispositions, 'in_transit')).toBe('https://ref.gs1.org/cbv/Disp-in_transit');
    expect(toXml(dispositions, 'in_transit', 'urn')).toBe('urn:epcglobal:cbv:disp:in_transit');
    expect(toXml(dispositions, 'urn:x:y')).toBe('urn:x:y');
  });
});
