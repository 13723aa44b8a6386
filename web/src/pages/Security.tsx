import { useState, type FormEvent } from 'react'
import { Link } from 'react-router'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, type Passkey } from '../api'
import { Empty, ErrorNotice, Loading } from '../components/states'
import { dateTime } from '../format'
import { passkeysSupported, registerPasskey } from '../passkeys'
import { keys, queries } from '../queries'
import { PasskeyError } from '../components/passkey-offer'
import { t } from '../i18n'

/** Your passkeys: add, rename, remove. */
export function Security({ area }: { area: 'portal' | 'admin' }) {
  const queryClient = useQueryClient()
  const passkeys = useQuery(queries.passkeys())
  const [notice, setNotice] = useState<string | null>(null)
  const refresh = () => void queryClient.invalidateQueries({ queryKey: keys.passkeys() })
  const add = useMutation({
    mutationFn: () => registerPasskey(),
    onMutate: () => setNotice(null),
    onSuccess: (passkey) => {
      setNotice(t('Passkey “{name}” added. Next time, choose “Sign in with a passkey”.', { name: passkey.name }))
      refresh()
    },
  })
  const remove = useMutation({
    mutationFn: (passkey: Passkey) => api('DELETE', `/api/passkeys/${passkey.id}`),
    onMutate: () => setNotice(null),
    onSuccess: (_, passkey) => {
      setNotice(t('Passkey “{name}” removed.', { name: passkey.name }))
      refresh()
    },
  })
  return (
    <>
      <h1>{t('Security')}</h1>
      <p className="muted">
        {t('A passkey signs you in with your fingerprint, face or screen lock — no email round trip, and it only works on this portal’s real address, so a look-alike site cannot use it.')}
      </p>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {remove.isError && <ErrorNotice error={remove.error} />}
      {add.isError && <PasskeyError error={add.error} />}
      <section className="card" aria-labelledby="passkeys">
        <h2 id="passkeys">{t('Passkeys')}</h2>
        {passkeys.isPending ? (
          <Loading what={t('your passkeys')} />
        ) : passkeys.isError ? (
          <ErrorNotice error={passkeys.error} retry={() => passkeys.refetch()} />
        ) : passkeys.data.items.length === 0 ? (
          <Empty>{t('No passkeys yet. You sign in with emailed links.')}</Empty>
        ) : (
          <ul className="list" aria-label={t('Your passkeys')}>
            {passkeys.data.items.map((passkey) => (
              <PasskeyRow key={passkey.id} passkey={passkey} onRemove={() => remove.mutate(passkey)} onRenamed={refresh} />
            ))}
          </ul>
        )}
        {passkeysSupported() ? (
          <button type="button" onClick={() => add.mutate()} disabled={add.isPending}>
            {add.isPending ? t('Waiting for your device…') : t('Add a passkey')}
          </button>
        ) : (
          <p className="muted">{t('This browser cannot create passkeys.')}</p>
        )}
      </section>
      <p>
        <Link to={area === 'admin' ? '/admin' : '/portal'}>{t('Back')}</Link>
      </p>
    </>
  )
}

function PasskeyRow({ passkey, onRemove, onRenamed }: { passkey: Passkey; onRemove: () => void; onRenamed: () => void }) {
  const [editing, setEditing] = useState(false)
  const [name, setName] = useState(passkey.name)
  const rename = useMutation({
    mutationFn: () => api<Passkey>('PATCH', `/api/passkeys/${passkey.id}`, { name }),
    onSuccess: () => {
      setEditing(false)
      onRenamed()
    },
  })
  function submit(event: FormEvent) {
    event.preventDefault()
    rename.mutate()
  }
  return (
    <li>
      {editing ? (
        <form onSubmit={submit}>
          <label htmlFor={`name-${passkey.id}`}>{t('Name')}</label>
          <input id={`name-${passkey.id}`} value={name} onChange={(e) => setName(e.target.value)} maxLength={60} required />
          {rename.isError && <ErrorNotice error={rename.error} />}
          <div className="actions">
            <button type="submit" disabled={rename.isPending}>
              {t('Save')}
            </button>
            <button type="button" className="secondary" onClick={() => setEditing(false)}>
              {t('Cancel')}
            </button>
          </div>
        </form>
      ) : (
        <>
          <strong>{passkey.name}</strong>{' '}
          <span className="muted">
            {t('added {when}', { when: dateTime(passkey.created_at) })} ·{' '}
            {passkey.last_used_at ? t('last used {when}', { when: dateTime(passkey.last_used_at) }) : t('not used yet')}
          </span>
          <div className="actions">
            <button type="button" className="secondary" onClick={() => setEditing(true)}>
              {t('Rename')}<span className="sr-only"> {passkey.name}</span>
            </button>
            <button type="button" className="secondary danger" onClick={onRemove}>
              {t('Remove')}<span className="sr-only"> {passkey.name}</span>
            </button>
          </div>
        </>
      )}
    </li>
  )
}

/** Right after a magic-link sign-in: "Sign in faster next time with a passkey", once. */
