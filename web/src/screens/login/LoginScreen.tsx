import { type FormEvent, useState } from 'react';
import { ApiError } from '../../api/client.ts';
import { useSession } from '../../app/session.tsx';
import { useI18n } from '../../i18n/index.tsx';
import '../../styles/login.css';

/** 登录: username and password; the answer sets the http-only session cookie and carries the CSRF token. */
export function LoginScreen() {
  const { t, locale, setLocale } = useI18n();
  const { login } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(username.trim(), password);
      // App sends the user to their screen once the session is set.
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 400)) setError(t('login.failed'));
      else if (err instanceof ApiError && err.status === 429) setError(t('login.rateLimited'));
      else setError(t('login.error', { message: err instanceof Error ? err.message : String(err) }));
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <div className="login__backdrop" aria-hidden="true" />
      <form className="login__card" onSubmit={submit} aria-labelledby="login-title">
        <div className="login__brand">{t('app.name')}</div>
        <div className="login__subtitle">{t('login.subtitle')}</div>
        <h1 id="login-title" className="login__title">
          {t('login.title')}
        </h1>
        <label className="field">
          <span>{t('login.username')}</span>
          <input
            name="username"
            autoComplete="username"
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <label className="field">
          <span>{t('login.password')}</span>
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error && (
          <p className="login__error" role="alert">
            {error}
          </p>
        )}
        <button className="button button--primary" type="submit" disabled={busy}>
          {busy ? t('login.submitting') : t('login.submit')}
        </button>
        <p className="login__hint">{t('login.demoHint')}</p>
        <button
          type="button"
          className="link-button login__language"
          title={t('common.switchLanguageTitle')}
          onClick={() => setLocale(locale === 'zh-CN' ? 'en' : 'zh-CN')}
        >
          {t('common.switchLanguage')}
        </button>
      </form>
    </main>
  );
}
