import { type ReactNode } from 'react';

// Inline SVG charts, no library: each is an image with a text alternative (<title>, <desc>) and the same numbers in
// a table for screen readers and for anyone who wants exact figures (WCAG 1.1.1, 1.3.1). Colours keep at least 3:1
// against the background (WCAG 1.4.11) and every series is named in a text legend, never by colour alone (1.4.1).

/** Series colours, each ≥ 5:1 against white. */
export const SERIES_COLOURS = ['#0b57d0', '#b3261e', '#146c2e', '#6f3fb5', '#9a4b00', '#00696b'] as const;

export interface Series {
  name: string;
  colour: string;
  /** One value per label; null is "no data" (a gap in a line). */
  values: (number | null)[];
}

export const formatNumber = (value: number): string => value.toLocaleString('en', { maximumFractionDigits: 1 });

/** 1, 2 or 5 times a power of ten, at least `max`: round gridlines. */
function niceCeiling(max: number): number {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  const step = [1, 2, 5, 10].find((factor) => factor * power >= max) ?? 10;
  return step * power;
}

const WIDTH = 600;
const HEIGHT = 250;
const PLOT = { left: 56, right: 12, top: 12, bottom: 36 };

function Legend({ series }: { series: Series[] }): ReactNode {
  return (
    <ul className="legend">
      {series.map((item) => (
        <li key={item.name}>
          <svg width="14" height="14" aria-hidden="true" focusable="false">
            <rect width="14" height="14" fill={item.colour} />
          </svg>{' '}
          {item.name}
        </li>
      ))}
    </ul>
  );
}

function DataTable({ caption, labelHeading, labels, series, unit }: { caption: string; labelHeading: string; labels: string[]; series: Series[]; unit?: string }): ReactNode {
  return (
    <details className="chart-data">
      <summary>Show the numbers: {caption}</summary>
      <table>
        <caption>
          {caption}
          {unit ? ` (${unit})` : ''}
        </caption>
        <thead>
          <tr>
            <th scope="col">{labelHeading}</th>
            {series.map((item) => (
              <th scope="col" key={item.name}>
                {item.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {labels.map((label, index) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              {series.map((item) => {
                const value = item.values[index];
                return <td key={item.name}>{value === null || value === undefined ? '—' : formatNumber(value)}</td>;
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

interface ChartProps {
  id: string;
  title: string;
  /** One or two sentences that say what the chart shows (its text alternative). */
  summary: string;
  labels: string[];
  /** How labels are named in the data table ("Day (UTC)", "Team"). */
  labelHeading: string;
  series: Series[];
  unit?: string;
}

function Axis({ top, labels, x }: { top: number; labels: string[]; x: (index: number) => number }): ReactNode {
  const every = Math.max(1, Math.ceil(labels.length / 7));
  const plotHeight = HEIGHT - PLOT.top - PLOT.bottom;
  return (
    <g className="axis">
      {[0, 0.25, 0.5, 0.75, 1].map((fraction) => {
        const y = PLOT.top + plotHeight * (1 - fraction);
        return (
          <g key={fraction}>
            <line x1={PLOT.left} x2={WIDTH - PLOT.right} y1={y} y2={y} className="grid" />
            <text x={PLOT.left - 6} y={y + 4} textAnchor="end">
              {formatNumber(top * fraction)}
            </text>
          </g>
        );
      })}
      {labels.map((label, index) =>
        // Every few labels, counted back from the newest, so the latest day is always named.
        (labels.length - 1 - index) % every === 0 ? (
          <text key={label} x={x(index)} y={HEIGHT - PLOT.bottom + 18} textAnchor="middle">
            {label.length === 10 ? label.slice(5) : label}
          </text>
        ) : null,
      )}
    </g>
  );
}

/** Stacked bars per label (a day): the series add up to the bar's height. */
export function StackedBarChart({ id, title, summary, labels, labelHeading, series, unit }: ChartProps): ReactNode {
  const totals = labels.map((_, index) => series.reduce((sum, item) => sum + (item.values[index] ?? 0), 0));
  const top = niceCeiling(Math.max(0, ...totals));
  const plotWidth = WIDTH - PLOT.left - PLOT.right;
  const plotHeight = HEIGHT - PLOT.top - PLOT.bottom;
  const slot = plotWidth / Math.max(1, labels.length);
  const barWidth = Math.max(2, slot * 0.7);
  const x = (index: number) => PLOT.left + slot * index + slot / 2;
  return (
    <figure className="chart" aria-labelledby={`${id}-caption`}>
      <figcaption id={`${id}-caption`}>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${id}-title ${id}-desc`} preserveAspectRatio="xMidYMid meet">
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{summary}</desc>
        <Axis top={top} labels={labels} x={x} />
        {labels.map((label, index) => {
          let base = PLOT.top + plotHeight;
          return (
            <g key={label}>
              {series.map((item) => {
                const value = item.values[index] ?? 0;
                const height = (value / top) * plotHeight;
                base -= height;
                return value > 0 ? <rect key={item.name} x={x(index) - barWidth / 2} y={base} width={barWidth} height={height} fill={item.colour} className="segment" /> : null;
              })}
            </g>
          );
        })}
      </svg>
      {series.length > 1 ? <Legend series={series} /> : null}
      <DataTable caption={title} labelHeading={labelHeading} labels={labels} series={series} {...(unit ? { unit } : {})} />
    </figure>
  );
}

/** Lines over the labels (days); a null value leaves a gap, a lone point shows as a dot. */
export function LineChart({ id, title, summary, labels, labelHeading, series, unit }: ChartProps): ReactNode {
  const top = niceCeiling(Math.max(0, ...series.flatMap((item) => item.values.map((value) => value ?? 0))));
  const plotWidth = WIDTH - PLOT.left - PLOT.right;
  const plotHeight = HEIGHT - PLOT.top - PLOT.bottom;
  const slot = plotWidth / Math.max(1, labels.length);
  const x = (index: number) => PLOT.left + slot * index + slot / 2;
  const y = (value: number) => PLOT.top + plotHeight * (1 - value / top);
  return (
    <figure className="chart" aria-labelledby={`${id}-caption`}>
      <figcaption id={`${id}-caption`}>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${id}-title ${id}-desc`} preserveAspectRatio="xMidYMid meet">
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{summary}</desc>
        <Axis top={top} labels={labels} x={x} />
        {series.map((item, seriesIndex) => {
          const runs: string[][] = [[]];
          item.values.forEach((value, index) => {
            if (value === null) runs.push([]);
            else runs[runs.length - 1]?.push(`${x(index)},${y(value)}`);
          });
          return (
            <g key={item.name} stroke={item.colour} fill={item.colour}>
              {runs.filter((run) => run.length > 1).map((run) => (
                <polyline key={run[0]} points={run.join(' ')} fill="none" strokeWidth={2.5} strokeDasharray={seriesIndex === 0 ? undefined : seriesIndex === 1 ? '8 4' : '2 3'} />
              ))}
              {item.values.map((value, index) => (value === null ? null : <circle key={labels[index]} cx={x(index)} cy={y(value)} r={3.5} />))}
            </g>
          );
        })}
      </svg>
      <Legend series={series} />
      <DataTable caption={title} labelHeading={labelHeading} labels={labels} series={series} {...(unit ? { unit } : {})} />
    </figure>
  );
}

/** One horizontal bar per category (a team, a model), longest first; names sit beside their bars, not on an axis. */
export function HorizontalBarChart({ id, title, summary, labels, labelHeading, series, unit }: ChartProps): ReactNode {
  const [main] = series;
  const values = main?.values.map((value) => value ?? 0) ?? [];
  const top = niceCeiling(Math.max(0, ...values));
  const rowHeight = 28;
  const labelWidth = 190;
  const height = Math.max(1, labels.length) * rowHeight + 8;
  const barSpace = WIDTH - labelWidth - 70;
  return (
    <figure className="chart" aria-labelledby={`${id}-caption`}>
      <figcaption id={`${id}-caption`}>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-labelledby={`${id}-title ${id}-desc`} preserveAspectRatio="xMidYMid meet">
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{summary}</desc>
        <g className="axis">
          {labels.map((label, index) => {
            const value = values[index] ?? 0;
            const rowTop = 4 + index * rowHeight;
            return (
              <g key={label}>
                <text x={labelWidth - 8} y={rowTop + 18} textAnchor="end">
                  {label.length > 26 ? `${label.slice(0, 25)}…` : label}
                </text>
                <rect x={labelWidth} y={rowTop + 4} width={Math.max(value > 0 ? 2 : 0, (value / top) * barSpace)} height={rowHeight - 8} fill={main?.colour} />
                <text x={labelWidth + (value / top) * barSpace + 6} y={rowTop + 18}>
                  {formatNumber(value)}
                </text>
              </g>
            );
          })}
        </g>
      </svg>
      <DataTable caption={title} labelHeading={labelHeading} labels={labels} series={series} {...(unit ? { unit } : {})} />
    </figure>
  );
}
