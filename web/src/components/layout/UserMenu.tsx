import { navigate } from '../../app/router.ts';
import { useSession } from '../../app/session.tsx';
import { useI18n } from '../../i18n/index.tsx';

/** The signed-in user's name and role, the language switch, and sign-out. */
export function UserMenu() {
  const { t, locale, setLocale } = useI18n();
  const { me, logout } = useSession();
  if (!me) return null;
  return (
    <div className="user-menu">
      <span className="user-menu__name">{me.displayName}</span>
      <span className="user-menu__role">{t(`role.${me.role}`)}</span>
      <button
        type="button"
        className="link-button"
        title={t('common.switchLanguageTitle')}
        onClick={() => setLocale(locale === 'zh-CN' ? 'en' : 'zh-CN')}
      >
        {t('common.switchLanguage')}
      </button>
      <button
        type="button"
        className="link-button"
        onClick={() => {
          void logout().then(() => navigate('/login', { replace: true }));
        }}
      >
        {t('common.logout')}
      </button>
    </div>
  );
}
