import { describe, expect, it } from 'vitest';
import { constrainDigitalLink, epcUriToDigitalLink, gs1CheckDigit } from './digital-link.ts';
import { EventHashError } from './errors.ts';
import { compareCodePoints } from './tree.ts';
import { canonicalNumber, canonicalTimestamp, canonicalValue, formatNumber } from './values.ts';

describe('canonicalTimestamp (CBV 2.0 §8.9 steps 8–9)', () => {
  it.each([
    ['2019-10-21T14:58:56+02:00', '2019-10-21T12:58:56.000Z', 'no fraction → .000, offset → UTC'],
    ['2019-10-21T14:58:56.0+02:00', '2019-10-21T12:58:56.000Z', 'short fraction padded'],
    ['2019-10-21T14:58:56.000000+02:00', '2019-10-21T12:58:56.000Z', 'long fraction cut'],
    ['2023-01-18T11:04:03.1415Z', '2023-01-18T11:04:03.142Z', '4th decimal 5 rounds up (the standard’s example)'],
    ['2022-02-16T08:40:21.3142715Z', '2022-02-16T08:40:21.314Z', '4th decimal 2 rounds down'],
    ['2019-12-31T23:59:59.9996Z', '2020-01-01T00:00:00.000Z', 'rounding carries into the year'],
    ['2019-10-21T14:58:56.123-06:30', '2019-10-21T21:28:56.123Z', 'negative half-hour offset'],
    ['2019-10-21T00:05:00-0600', '2019-10-21T06:05:00.000Z', 'offset without colon'],
    ['2019-10-21T01:58:56.000z', '2019-10-21T01:58:56.000Z', 'lower-case z'],
    ['2024-02-29T12:00:00Z', '2024-02-29T12:00:00.000Z', 'a leap day'],
    ['2000-02-29T12:00:00Z', '2000-02-29T12:00:00.000Z', 'a leap day of a century divisible by 400'],
    ['0099-03-01T00:00:00+01:00', '0099-02-28T23:00:00.000Z', 'a year below 100 (not read as 1999)'],
  ])('%s → %s (%s)', (raw, expected) => {
    expect(canonicalTimestamp(raw, '/eventTime')).toBe(expected);
  });

  it.each([
    ['2019-10-21T14:58:56', 'no time zone: the instant is unknown'],
    ['2019-02-30T00:00:00Z', 'no such day'],
    ['2019-10-21T24:00:00Z', 'no such hour'],
    ['2019-10-21T12:60:00Z', 'no such minute'],
    ['2023-02-29T00:00:00Z', 'no leap day in 2023'],
    ['1900-02-29T00:00:00Z', 'no leap day in 1900'],
    ['2019-04-31T00:00:00Z', 'April has 30 days'],
    ['21-10-2019T14:58:56Z', 'not ISO 8601'],
    ['2019-10-21', 'a date'],
  ])('rejects %s (%s)', (raw) => {
    expect(() => canonicalTimestamp(raw, '/x/eventTime')).toThrow(EventHashError);
    expect(() => canonicalTimestamp(raw, '/x/eventTime')).toThrow(/at \/x\/eventTime/);
    // Failures are not remembered: a second caller hears its own path.
    expect(() => canonicalTimestamp(raw, '/y/recordTime')).toThrow(/at \/y\/recordTime/);
  });
});

describe('canonicalNumber (CBV 2.0 §8.9 step 6)', () => {
  it.each([
    ['26.0', '26'],
    ['0.34340', '0.3434'],
    ['12.10000', '12.1'],
    ['0.180000000000', '0.18'],
    ['+05', '5'],
    ['-0.0', '0'],
    ['1e3', '1000'],
    ['1.', '1'],
    ['.5', '0.5'],
    ['1_000', '1000'],
    ['0.00001', '1e-05'],
    ['0.0001', '0.0001'],
    // The reference implementation reads values as binary doubles, and the corpus records it
    // (SensorDataExamples, stringValue="111100001111000011110000"): integers beyond 2^53 lose digits.
    ['111100001111000011110000', '111100001111000003641344'],
  ])('%s → %s', (raw, expected) => {
    expect(canonicalNumber(raw)).toBe(expected);
  });

  it.each(['abc', '1.2.3', '0x10', 'inf', 'NaN', '1__0', '_1', '', '2019-10-21', '+01:00'])(
    '%s is no number',
    (raw) => {
      expect(canonicalNumber(raw)).toBeUndefined();
    },
  );

  it('formats JSON numbers the same way', () => {
    expect(formatNumber(42.698334)).toBe('42.698334');
    expect(formatNumber(26)).toBe('26');
    expect(formatNumber(-0.000015)).toBe('-1.5e-05');
  });
});

describe('canonicalValue', () => {
  it.each([
    ['urn:epcglobal:cbv:bizstep:receiving', 'https://ref.gs1.org/cbv/BizStep-receiving'],
    ['urn:epcglobal:cbv:disp:in_transit', 'https://ref.gs1.org/cbv/Disp-in_transit'],
    ['urn:epcglobal:cbv:btt:po', 'https://ref.gs1.org/cbv/BTT-po'],
    ['urn:epcglobal:cbv:sdt:owning_party', 'https://ref.gs1.org/cbv/SDT-owning_party'],
    ['urn:epcglobal:cbv:er:incorrect_data', 'https://ref.gs1.org/cbv/ER-incorrect_data'],
    ['gs1:Temperature', 'https://gs1.org/voc/Temperature'],
    ['cbv:Comp-latitude', 'https://ref.gs1.org/cbv/Comp-latitude'],
    ['example:x', 'example:x'],
    ['  OBSERVE  ', 'OBSERVE'],
    ['urn:epcglobal:cbv:bt:0614141073467:1152', 'urn:epcglobal:cbv:bt:0614141073467:1152'],
    ['urn:epc:id:sgln:4012345.00005.0', 'https://id.gs1.org/414/4012345000054'],
    ['geo:47.506694,11.104301', 'geo:47.506694,11.104301'],
  ])('%s → %s', (raw, expected) => {
    expect(canonicalValue(raw)).toBe(expected);
  });
});

describe('EPC URIs → GS1 Digital Link (TDS 2.0, CBV 2.0 §8.9 step 17)', () => {
  it('computes GS1 check digits', () => {
    expect(gs1CheckDigit('1061414107346')).toBe('4');
    expect(gs1CheckDigit('04012345000000111')).toBe('2');
  });

  it.each([
    ['urn:epc:id:sgtin:0614141.107346.2017', 'https://id.gs1.org/01/10614141073464/21/2017'],
    ['urn:epc:id:sgtin:0614141.107346.A(1)', 'https://id.gs1.org/01/10614141073464/21/A%281%29'],
    ['urn:epc:id:sscc:4012345.0000000111', 'https://id.gs1.org/00/040123450000001112'],
    ['urn:epc:id:sgln:4012345.00005.0', 'https://id.gs1.org/414/4012345000054'],
    ['urn:epc:id:sgln:0012345.11111.400', 'https://id.gs1.org/414/0012345111112/254/400'],
    ['urn:epc:id:pgln:4012345.00000', 'https://id.gs1.org/417/4012345000009'],
    ['urn:epc:id:gdti:4012345.11111.123', 'https://id.gs1.org/253/4012345111118123'],
    ['urn:epc:id:giai:4000001.111', 'https://id.gs1.org/8004/4000001111'],
    ['urn:epc:class:lgtin:4023333.002000.2019-10-07', 'https://id.gs1.org/01/04023333020008/10/2019-10-07'],
    ['urn:epc:idpat:sgtin:4054739.099914.*', 'https://id.gs1.org/01/04054739999148'],
    ['urn:epc:id:itip:4012345.012345.01.02.999', 'https://id.gs1.org/8006/040123451234560102/21/999'],
  ])('%s → %s', (uri, expected) => {
    expect(epcUriToDigitalLink(uri)).toBe(expected);
  });

  it.each([
    ['urn:epc:id:sgtin:0614141.10734.2017', 'company prefix + item reference is not 13 digits'],
    ['urn:epc:id:gid:95100000.12345.400', 'GID has no GS1 key'],
    ['urn:epc:idpat:sscc:4012345.*', 'an SSCC pattern names no key'],
  ])('leaves %s alone (%s)', (uri) => {
    expect(epcUriToDigitalLink(uri)).toBeUndefined();
  });
});

describe('constrained canonical GS1 Digital Link (CBV 2.0 §8.9 step 18)', () => {
  it.each([
    ['https://id.gs1.de/01/04012345999990/21/XYZ-1234', 'https://id.gs1.org/01/04012345999990/21/XYZ-1234'],
    [
      'https://example.com/gtin/9780345418913/lot/ABC/ser/123?linkType=all',
      'https://id.gs1.org/01/09780345418913/21/123',
    ],
    ['https://example.com/01/04012345999990/22/2A/10/LOT', 'https://id.gs1.org/01/04012345999990/10/LOT'],
    ['https://example.com/shop/414/4012345000115/254/987/', 'https://id.gs1.org/414/4012345000115/254/987'],
    ['http://id.gs1.org/00/040123450000001112#top', 'https://id.gs1.org/00/040123450000001112'],
    ['https://id.example.com/8003/040123450007718765', 'https://id.gs1.org/8003/040123450007718765'],
  ])('%s → %s', (uri, expected) => {
    expect(constrainDigitalLink(uri)).toBe(expected);
  });

  it.each([
    'http://transaction.acme.com/po/12345678',
    'https://id.gs1.org/00/123',
    'https://id.gs1.org/01/04012345999990/17/201231',
    'https://example.org/rail/someSectorSpecificValue',
  ])('leaves %s alone', (uri) => {
    expect(constrainDigitalLink(uri)).toBeUndefined();
  });
});

describe('compareCodePoints (CBV 2.0 §8.9 step 10)', () => {
  it('orders by Unicode code point, i.e. by UTF-8 bytes', () => {
    const words = ['\u{1F600}', '\uFF21', 'b', 'B', 'a'];
    expect(words.sort(compareCodePoints)).toEqual(['B', 'a', 'b', '\uFF21', '\u{1F600}']);
  });
});
