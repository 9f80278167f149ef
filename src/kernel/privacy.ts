/**
 * Masking of personal data (个人信息) for presenters: the viewer sees enough to recognise a
 * record, not enough to identify a person, unless policy says they need it.
 */

/** 13812345678 → 138****5678 */
export function maskPhone(phone: string | null): string | null {
  if (!phone) return phone;
  const digits = phone.replace(/\s+/g, '');
  if (digits.length < 7) return '*'.repeat(digits.length);
  return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
}

/** 张三丰 → 张** ; Alice Smith → A**** */
export function maskName(name: string | null): string | null {
  if (!name) return name;
  const chars = [...name];
  return (chars[0] ?? '') + '*'.repeat(Math.max(1, chars.length - 1));
}

/** zhang.san@example.cn → z***@example.cn (the domain stays: it names no one) */
export function maskEmail(email: string | null): string | null {
  if (!email) return email;
  const at = email.lastIndexOf('@');
  if (at <= 0) return '*'.repeat(email.length);
  return `${[...email][0]}***${email.slice(at)}`;
}

/** 510108199001011234 → 5101**********1234 */
export function maskIdNumber(id: string | null): string | null {
  if (!id) return id;
  if (id.length <= 8) return '*'.repeat(id.length);
  return `${id.slice(0, 4)}${'*'.repeat(id.length - 8)}${id.slice(-4)}`;
}

/** Keeps the region of an address and hides the rest: 杉板桥路12号3栋2单元 → 杉板桥路*** */
export function maskAddress(address: string | null): string | null {
  if (!address) return address;
  const chars = [...address];
  return `${chars.slice(0, Math.min(4, chars.length)).join('')}***`;
}
