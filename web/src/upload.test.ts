import { unfinishedUploads } from './upload'

const record = (key: string, base: string, projectId: string, startedAt: string) =>
  localStorage.setItem(
    key,
    JSON.stringify({ key, uploadId: key, base, destination: { kind: 'project', project_id: projectId }, filename: `${key}.pdf`, size: 9, startedAt }),
  )

test('unfinished uploads are offered only where they were going, newest first', () => {
  localStorage.clear()
  record('portal-upload:a', '/api', 'p1', '2026-11-29T10:00:00Z')
  record('portal-upload:b', '/api', 'p1', '2026-11-29T11:00:00Z')
  record('portal-upload:c', '/api', 'p2', '2026-11-29T12:00:00Z')
  record('portal-upload:d', '/api/admin/clients/c1', 'p1', '2026-11-29T12:00:00Z')
  localStorage.setItem('unrelated', 'x')
  const found = unfinishedUploads('/api', { kind: 'project', project_id: 'p1' })
  expect(found.map((u) => u.uploadId)).toEqual(['portal-upload:b', 'portal-upload:a'])
  expect(unfinishedUploads('/api', { kind: 'request', request_id: 'r1' })).toEqual([])
})

test('a corrupt record does not break the page', () => {
  localStorage.clear()
  localStorage.setItem('portal-upload:x', '{not json')
  expect(unfinishedUploads('/api', { kind: 'project', project_id: 'p1' })).toEqual([])
})
