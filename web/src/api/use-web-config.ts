import { useEffect, useState } from 'react';
import { webConfig } from './twin-load.ts';
import type { WebConfig } from './types.ts';

/** The web config (`GET /api/web-config`, public, asked once); null until it answers. */
export function useWebConfig(): WebConfig | null {
  const [config, setConfig] = useState<WebConfig | null>(null);
  useEffect(() => {
    let live = true;
    void webConfig().then((c) => live && setConfig(c));
    return () => {
      live = false;
    };
  }, []);
  return config;
}
