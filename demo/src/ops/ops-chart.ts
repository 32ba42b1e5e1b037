import { formatEcpayDateTime, type EcpayMinuteCount } from 'nestjs-ecpay';

const WIDTH = 720;
const HEIGHT = 140;
const AXIS = 20;

/** HH:mm in Asia/Taipei, the time ECPay and the shop's staff read. */
const clockTime = (date: Date): string => formatEcpayDateTime(date).slice(11, 16);

/**
 * Notifications per minute as an inline SVG bar chart: drawn on the server, no script, no CDN, nothing fetched.
 * Each bar has a <title> (its minute and count) for a hover and for screen readers.
 */
export function perMinuteChart(minutes: readonly EcpayMinuteCount[]): string {
  const max = Math.max(1, ...minutes.map((minute) => minute.count));
  const slot = WIDTH / Math.max(1, minutes.length);
  const plot = HEIGHT - AXIS;
  const bars = minutes
    .map((minute, i) => {
      const height = Math.round((minute.count / max) * (plot - 4));
      return `<rect x="${(i * slot + 1).toFixed(1)}" y="${plot - height}" width="${Math.max(1, slot - 2).toFixed(1)}" height="${height}" fill="#2f6fb3"><title>${clockTime(minute.at)}: ${minute.count}</title></rect>`;
    })
    .join('');
  const first = minutes[0];
  const last = minutes[minutes.length - 1];
  const total = minutes.reduce((sum, minute) => sum + minute.count, 0);
  return `<svg id="notifications-chart" role="img" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" aria-label="${total} notifications in the last ${minutes.length} minutes, at most ${max} a minute">
<line x1="0" y1="${plot}" x2="${WIDTH}" y2="${plot}" stroke="#999"/>${bars}
<text x="0" y="${HEIGHT - 4}" font-size="11">${first ? clockTime(first.at) : ''}</text>
<text x="${WIDTH}" y="${HEIGHT - 4}" font-size="11" text-anchor="end">${last ? clockTime(last.at) : ''} (Asia/Taipei)</text>
<text x="4" y="12" font-size="11">max ${max}/min</text></svg>`;
}
