import './cspStyles';
import 'uplot/dist/uPlot.min.css';
import '@xterm/xterm/css/xterm.css';
import './styles.css';
import { render } from 'preact';
import { App } from './App';

render(<App />, document.getElementById('app')!);
