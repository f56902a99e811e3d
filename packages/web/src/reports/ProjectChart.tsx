import { placePoints, RATINGS, ticks, type ProjectSeries } from '../lib/chart.ts';

const WIDTH = 560;
const HEIGHT = 220;
const PLOT = { left: 44, right: WIDTH - 40, top: 16, bottom: HEIGHT - 44 };

/**
 * Plain SVG, scaled by the viewBox so it fits 390 px and 1280 px alike. Bars: vulnerabilities
 * (left axis). Line: security rating, A at the top (right axis). A table-like text alternative
 * is in the <desc> for screen readers.
 */
export function ProjectChart({ series }: { series: ProjectSeries }) {
  const { placed, maxCount, band } = placePoints(series.points, PLOT);
  const barWidth = Math.max(4, Math.min(28, band / 2));
  const countTicks = ticks(maxCount);
  // At most about ten version labels fit under the axis; the rest are in each bar's tooltip.
  const labelEvery = Math.ceil(placed.length / 10);
  const titleId = `chart-${series.projectName.replace(/\W+/g, '-')}`;
  const ratingLine = placed.map((p) => `${p.x},${p.yRating}`).join(' ');
  const tickY = (value: number) => PLOT.bottom - (value / maxCount) * (PLOT.bottom - PLOT.top);
  const ratingY = (index: number) => PLOT.top + (index / (RATINGS.length - 1)) * (PLOT.bottom - PLOT.top);
  return (
    <figure className="chart card">
      <figcaption id={titleId}>{series.projectName}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={titleId} preserveAspectRatio="xMidYMid meet">
        <desc>{series.points.map((p) => `${p.version}: ${p.vulnerabilities} vulnerabilities, rating ${p.rating}`).join('; ')}</desc>
        {countTicks.map((value) => (
          <g key={`c${value}`} className="tick">
            <line x1={PLOT.left} x2={PLOT.right} y1={tickY(value)} y2={tickY(value)} />
            <text x={PLOT.left - 6} y={tickY(value) + 4} textAnchor="end">
              {value}
            </text>
          </g>
        ))}
        {RATINGS.map((rating, index) => (
          <text key={rating} className="rating-tick" x={PLOT.right + 8} y={ratingY(index) + 4}>
            {rating}
          </text>
        ))}
        {placed.map((p, i) => (
          <g key={p.version}>
            <rect className="bar" x={p.x - barWidth / 2} y={p.yCount} width={barWidth} height={Math.max(0, PLOT.bottom - p.yCount)}>
              <title>{`${p.version}: ${p.vulnerabilities} vulnerabilities`}</title>
            </rect>
            {i % labelEvery === 0 ? (
              <text className="version-label" x={p.x} y={PLOT.bottom + 16} textAnchor="middle">
                {p.version}
              </text>
            ) : null}
          </g>
        ))}
        {placed.length > 1 ? <polyline className="rating-line" points={ratingLine} /> : null}
        {placed.map((p) => (
          <circle key={`r${p.version}`} className={`rating-dot rating-${p.rating}`} cx={p.x} cy={p.yRating} r={5}>
            <title>{`${p.version}: rating ${p.rating}`}</title>
          </circle>
        ))}
        <text className="axis-label" x={PLOT.left} y={HEIGHT - 6}>
          ■ vulnerabilities
        </text>
        <text className="axis-label" x={PLOT.right} y={HEIGHT - 6} textAnchor="end">
          ● security rating (A best)
        </text>
      </svg>
    </figure>
  );
}
