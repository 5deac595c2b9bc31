export { HistoryPanel } from './HistoryPanel';
export { CompareView } from './CompareView';
export { EntryDetail, OPEN_LOG_EVENT, type OpenLogDetail } from './EntryDetail';
