import { apiBlob, apiRequest } from '../../../lib/api-client';
import type { ResponseOf } from '../../../lib/api-types';

export type Upload = ResponseOf<'createUploads'>['data'][number];

/** POST /v1/uploads (multipart); the answer's ids go in a message's `attachments`. */
export async function uploadFiles(files: File[]): Promise<Upload[]> {
  const form = new FormData();
  for (const file of files) form.append('file', file, file.name);
  const answer = await apiRequest<ResponseOf<'createUploads'>>('/v1/uploads', { method: 'POST', body: form });
  return answer.data;
}

/**
 * Downloads an attachment with the agent's token (a plain link can't carry it), then hands the
 * bytes to the browser as a file download.
 */
export async function downloadUpload(upload: { id: string; name: string }): Promise<void> {
  const blob = await apiBlob(`/v1/uploads/${encodeURIComponent(upload.id)}/content`);
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = upload.name;
  document.body.append(link);
  link.click();
  link.remove();
  // The click has started the download; give it a moment before letting the bytes go.
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
