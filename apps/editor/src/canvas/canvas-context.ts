import type { Problem } from '@waymark/nodes';
import { createContext, useContext } from 'react';
import { catalogOf, type NodeTypeCatalog } from './registry.ts';

/** What the canvas's node cards read besides their own data. */
export interface CanvasInfo {
  catalog: NodeTypeCatalog;
  problemsByNode: ReadonlyMap<string, readonly Problem[]>;
  /** In simulation: the step numbers at which each node was left. */
  visits: ReadonlyMap<string, readonly number[]> | null;
  readOnly: boolean;
}

const CanvasContext = createContext<CanvasInfo>({
  catalog: catalogOf([]),
  problemsByNode: new Map(),
  visits: null,
  readOnly: false,
});

/** Provides {@link CanvasInfo} to the node cards. */
export const CanvasInfoProvider = CanvasContext.Provider;

/** The canvas information for node cards. */
export function useCanvasInfo(): CanvasInfo {
  return useContext(CanvasContext);
}
