/** Starts a download of an API URL (the session cookie goes with it). */
export function download(path: string, params: Record<string, unknown> = {}): void {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) search.set(key, typeof value === 'string' ? value : JSON.stringify(value));
  }
  const query = search.toString();
  const link = document.createElement('a');
  link.href = `/api${path}${query ? `?${query}` : ''}`;
  link.rel = 'noopener';
  link.download = ''; // same origin: saved as a file (name from Content-Disposition) rather than opened
  document.body.appendChild(link);
  link.click();
  link.remove();
}

export function saveJson(name: string, data: unknown): void {
  const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
