import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { StandaloneApp, takeTokenFromUrl } from './app/standalone.tsx';

const token = takeTokenFromUrl();
const mount = document.getElementById('root');
if (mount)
  createRoot(mount).render(
    <StrictMode>
      <StandaloneApp token={token} />
    </StrictMode>,
  );
