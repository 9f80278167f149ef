import { describe, expect, it } from 'vitest';
import { maskAddress, maskEmail, maskIdNumber, maskName, maskPhone } from './privacy.ts';

describe('masking personal data', () => {
  it.each([
    [maskPhone, '13812345678', '138****5678'],
    [maskPhone, '028 8888 1234', '028****1234'],
    [maskPhone, '12345', '*****'],
    [maskName, '张三丰', '张**'],
    [maskName, '李四', '李*'],
    [maskName, '王', '王*'],
    [maskIdNumber, '510108199001011234', '5101**********1234'],
    [maskAddress, '杉板桥路12号3栋2单元', '杉板桥路***'],
    [maskEmail, 'zhang.san@example.cn', 'z***@example.cn'],
    [maskEmail, 'not-an-address', '**************'],
  ])('%o(%s) → %s', (mask, input, expected) => {
    expect(mask(input)).toBe(expected);
  });

  it('passes empty values through', () => {
    expect(maskPhone(null)).toBeNull();
    expect(maskName('')).toBe('');
  });
});
