import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderWithProviders } from '../test/render';
import { PayloadView } from './PayloadView';

describe('PayloadView', () => {
  it('shows JSON pretty-printed and switches to hex', async () => {
    renderWithProviders(<PayloadView data={'{"t":21.5}'} encoding="text" />);
    expect(screen.getByTestId('payload').textContent).toBe('{\n  "t": 21.5\n}');
    await userEvent.click(screen.getByText('Hex'));
    expect(screen.getByTestId('payload').textContent).toContain('7b 22 74 22');
    await userEvent.click(screen.getByText('Text'));
    expect(screen.getByTestId('payload').textContent).toBe('{"t":21.5}');
  });

  it('opens binary payloads as hex', () => {
    renderWithProviders(<PayloadView data="AP8=" encoding="base64" />);
    expect(screen.getByTestId('payload').textContent).toContain('00 ff');
    expect(screen.getByText('2 bytes')).toBeInTheDocument();
  });
});
