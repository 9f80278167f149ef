import { useMemo } from 'react';
import { type ChartOption, EChart } from '../../components/charts/EChart.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { isMessageKey } from '../../i18n/translate.ts';
import type { TwinModel } from './twin-model.ts';

const palette = [
  '#2b8cff',
  '#39d0a8',
  '#ffd166',
  '#ff8a3d',
  '#7a5cff',
  '#ff5c8a',
  '#5fd3ff',
  '#b3e05c',
  '#c08cff',
  '#8fb3ff',
];

/** Devices per kind (a ring chart), from the device list the viewer may see. */
export function DeviceKindChart({ model }: { model: TwinModel }) {
  const { t } = useI18n();
  const option = useMemo<ChartOption>(
    () => ({
      color: palette,
      tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
      legend: {
        orient: 'vertical',
        right: 0,
        top: 'middle',
        textStyle: { color: '#c9d8ee', fontSize: 13 },
        itemGap: 6,
      },
      series: [
        {
          name: t('screen.chart.devices'),
          type: 'pie',
          radius: ['45%', '75%'],
          center: ['30%', '50%'],
          label: { show: false },
          data: model.devicesByKind.map((k) => {
            const key = `deviceKind.${k.kind}`;
            return { name: isMessageKey(key) ? t(key) : k.label, value: k.count };
          }),
        },
      ],
    }),
    [model, t],
  );
  return <EChart className="chart" option={option} label={t('screen.chart.devicesByKind')} />;
}
