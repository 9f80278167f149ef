import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { catalogues, isLocale, type Locale, type MessageParams, translate } from './translate.ts';
import type { MessageKey } from './zh-CN.ts';

const storageKey = 'civictwin.locale';

/** What components get from `useI18n()`. */
export type I18n = {
  locale: Locale;
  /** The message for a key, parameters filled in. */
  t: (key: MessageKey, params?: MessageParams) => string;
  /** A number in the language's notation (thousands separators). */
  num: (value: number, digits?: number) => string;
  setLocale: (locale: Locale) => void;
};

const I18nContext = createContext<I18n | null>(null);

function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(storageKey);
    if (isLocale(saved)) return saved;
  } catch {
    // storage may be disabled; the default language is fine
  }
  return 'zh-CN';
}

/** Holds the chosen language (zh-CN unless the user switched; remembered in localStorage). */
export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  const setLocale = useCallback((next: Locale) => {
    setLocaleState(next);
    try {
      localStorage.setItem(storageKey, next);
    } catch {
      // not remembered across reloads; still switched
    }
  }, []);
  const value = useMemo<I18n>(() => {
    const messages = catalogues[locale];
    const formats = new Map<number, Intl.NumberFormat>();
    return {
      locale,
      t: (key, params) => translate(messages, key, params),
      num: (n, digits = 0) => {
        let f = formats.get(digits);
        if (!f) {
          f = new Intl.NumberFormat(locale, { maximumFractionDigits: digits, minimumFractionDigits: digits });
          formats.set(digits, f);
        }
        return f.format(n);
      },
      setLocale,
    };
  }, [locale, setLocale]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

/** The current language and its `t`. */
export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error('useI18n outside <I18nProvider>');
  return i18n;
}
