/** Server-side ECharts rendering to SVG (no canvas on the server: PNG is exported by the browser). */
import * as echarts from 'echarts';

export function renderSvg(option: Record<string, unknown>, size: { width: number; height: number } = { width: 900, height: 420 }): string {
  const chart = echarts.init(null as unknown as HTMLElement, null, { renderer: 'svg', ssr: true, width: size.width, height: size.height });
  try {
    chart.setOption(option as echarts.EChartsOption);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
