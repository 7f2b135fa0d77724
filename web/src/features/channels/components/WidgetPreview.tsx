import { useEffect, useState } from 'react';
import styles from './WidgetPage.module.css';

export interface PreviewSettings {
  title: string;
  greeting: string;
  color: string;
  requireEmail: boolean;
}

/** The preview page's address for these settings (served by talki: src/channels/widget/widget.preview.ts). */
export function previewUrl(settings: PreviewSettings): string {
  const params = new URLSearchParams();
  // Values the page would refuse (400) wait until they are valid: the preview keeps the last good one.
  if (settings.title.trim()) params.set('title', settings.title.trim().slice(0, 100));
  params.set('greeting', settings.greeting.trim().slice(0, 1000));
  if (/^#[0-9a-fA-F]{6}$/.test(settings.color)) params.set('color', settings.color);
  params.set('requireEmail', String(settings.requireEmail));
  return `/widget/preview?${params.toString()}`;
}

/**
 * The real widget script in a sandboxed frame (scripts only: an opaque origin, so it can't read
 * this app's storage or session), reloaded a moment after the settings stop changing.
 */
export function WidgetPreview({ settings }: { settings: PreviewSettings }) {
  const target = previewUrl(settings);
  const [src, setSrc] = useState(target);
  useEffect(() => {
    const timer = window.setTimeout(() => setSrc(target), 300);
    return () => window.clearTimeout(timer);
  }, [target]);
  return (
    <div className={styles.previewFrame}>
      <iframe
        title="Chat widget preview"
        src={src}
        sandbox="allow-scripts"
        className={styles.iframe}
        data-testid="widget-preview"
      />
    </div>
  );
}
