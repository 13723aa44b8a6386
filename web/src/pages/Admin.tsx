import { Link } from 'react-router'
import { t } from '../i18n'

export function NotFound() {
  return (
    <main className="card narrow">
      <h1>{t('Page not found')}</h1>
      <p>
        <Link to="/portal">{t('Go to your portal')}</Link>
      </p>
    </main>
  )
}
