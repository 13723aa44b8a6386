import { useRef, type KeyboardEvent, type ReactNode } from 'react'
import { useSearchParams } from 'react-router'

export type Tab = { id: string; label: string; badge?: number; panel: () => ReactNode }

/**
 * Tabs in the WAI-ARIA pattern (roving focus, arrows/Home/End, automatic activation). The open tab
 * lives in the address (`?tab=`), so a reload, a shared link or the back button keep the place.
 * Only the open panel renders: a long editor becomes screens that fit.
 */
export function Tabs({ label, tabs }: { label: string; tabs: [Tab, ...Tab[]] }) {
  const [params, setParams] = useSearchParams()
  const requested = params.get('tab')
  const current = tabs.find((t) => t.id === requested) ?? tabs[0]
  const buttons = useRef<Record<string, HTMLButtonElement | null>>({})

  function open(id: string, focus: boolean) {
    setParams(
      (previous) => {
        const next = new URLSearchParams(previous)
        if (id === tabs[0].id) next.delete('tab')
        else next.set('tab', id)
        return next
      },
      { replace: true },
    )
    if (focus) buttons.current[id]?.focus()
  }

  function onKeyDown(event: KeyboardEvent) {
    const index = tabs.indexOf(current)
    const target =
      event.key === 'ArrowRight'
        ? tabs[(index + 1) % tabs.length]
        : event.key === 'ArrowLeft'
          ? tabs[(index - 1 + tabs.length) % tabs.length]
          : event.key === 'Home'
            ? tabs[0]
            : event.key === 'End'
              ? tabs[tabs.length - 1]
              : undefined
    if (!target) return
    event.preventDefault()
    open(target.id, true)
  }

  return (
    <>
      <div role="tablist" aria-label={label} className="tabs" onKeyDown={onKeyDown}>
        {tabs.map((t) => {
          const selected = t === current
          return (
            <button
              key={t.id}
              ref={(el) => {
                buttons.current[t.id] = el
              }}
              type="button"
              role="tab"
              id={`tab-${t.id}`}
              aria-selected={selected}
              aria-controls={`panel-${t.id}`}
              tabIndex={selected ? 0 : -1}
              onClick={() => open(t.id, false)}
            >
              {t.label}
              {t.badge !== undefined && <span className="tab-badge">{t.badge}</span>}
            </button>
          )
        })}
      </div>
      <div role="tabpanel" id={`panel-${current.id}`} aria-labelledby={`tab-${current.id}`} className="tab-panel">
        {current.panel()}
      </div>
    </>
  )
}
