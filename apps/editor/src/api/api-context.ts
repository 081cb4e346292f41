import { createContext, useContext } from 'react';
import type { ApiClient } from './client.ts';

const ApiContext = createContext<ApiClient | undefined>(undefined);

/** Provides the runtime client to panels deep in the editor (the AI subject-lines panel). */
export const ApiProvider = ApiContext.Provider;

/** The runtime client, or undefined where none is provided (then features that call it stay hidden). */
export function useApi(): ApiClient | undefined {
  return useContext(ApiContext);
}
