// The bar chart the public pages share (the home page's categories, a poll's turnout by municipality): counts by
// name as horizontal bars.

/** How a page draws its bars: the series' name (the tooltip's), their colour, and the room around the plot. */
export interface BarsLook {
  series: string;
  color: string;
  grid: { right: number; top: number; bottom: number };
}

/** The ECharts option of counts by name, the first pair on top (a category axis runs upwards). */
export function countBarsOption(bars: readonly (readonly [name: string, count: number])[], look: BarsLook): Record<string, unknown> {
  const fromBottom = [...bars].reverse();
  return {
    aria: { enabled: true },
    tooltip: { trigger: 'axis' },
    grid: { left: 8, ...look.grid, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: fromBottom.map(([name]) => name) },
    series: [{ type: 'bar', name: look.series, data: fromBottom.map(([, count]) => count), itemStyle: { color: look.color } }],
  };
}
