import { describe, expect, it } from 'vitest';
import { en } from './en.ts';
import { isLocale, isMessageKey, translate } from './translate.ts';
import { zhCN } from './zh-CN.ts';

describe('i18n', () => {
  it('fills parameters and leaves unknown ones as written', () => {
    expect(translate(zhCN, 'screen.kpi.onlineDetail', { online: 3, offline: 1, unknown: 5 })).toBe(
      '在线 3 · 离线 1 · 未上报 5',
    );
    expect(translate(en, 'home.welcome', {})).toBe('Hello, {name}');
    expect(translate(zhCN, 'login.title')).toBe('登录');
  });

  it('has every Chinese key in English, none empty, with the same parameters', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zhCN).sort());
    const params = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(zhCN) as (keyof typeof zhCN)[]) {
      expect(en[key].trim(), key).not.toBe('');
      expect(params(en[key]), key).toEqual(params(zhCN[key]));
    }
  });

  it('recognises its languages and keys', () => {
    expect(isLocale('zh-CN')).toBe(true);
    expect(isLocale('fr')).toBe(false);
    expect(isMessageKey('deviceKind.smoke')).toBe(true);
    expect(isMessageKey('deviceKind.toaster')).toBe(false);
    expect(isMessageKey('toString')).toBe(false);
  });
});
