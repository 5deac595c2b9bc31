import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { AppProvider } from './store';
import { defaultSettings } from '../../app/shared/command';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppProvider initial={defaultSettings()}>
      <App />
    </AppProvider>
  </StrictMode>,
);
