import { useEffect, useState } from 'react';
import { api } from '../../api/client.ts';
import type { Me, Page, PlaceView } from '../../api/types.ts';

/**
 * The live channels of a staff screen: everything under the user's scope root (`place:<id>`);
 * a user scoped to the whole system (admin) listens under each top-level district. The server
 * still filters every message by what the user may read.
 */
export function useScopeChannels(me: Me | null | undefined): string[] | null {
  const [channels, setChannels] = useState<string[] | null>(null);
  useEffect(() => {
    if (!me) return;
    if (me.scope.placeId) {
      setChannels([`place:${me.scope.placeId}`]);
      return;
    }
    let live = true;
    api<Page<PlaceView>>('/api/places?kind=district&pageSize=50')
      .then((p) => live && setChannels(p.items.map((d) => `place:${d.id}`)))
      .catch(() => live && setChannels([]));
    return () => {
      live = false;
    };
  }, [me]);
  return channels;
}
