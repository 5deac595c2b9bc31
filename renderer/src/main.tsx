import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { AppProvider } from './store';
import { ShellMenuCommands } from './shell';
import { defaultSettings } from '../../app/shared/command';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppProvider initial={defaultSettings()}>
      <App />
      {/* TODO(lead, at merge): inside the workspace's WorkspaceContext provider, so View's areas reach go(). */}
      <ShellMenuCommands />
    </AppProvider>
  </StrictMode>,
);
