import { Link } from 'react-router'

export function NotFound() {
  return (
    <main className="card narrow">
      <h1>Page not found</h1>
      <p>
        <Link to="/portal">Go to your portal</Link>
      </p>
    </main>
  )
}
