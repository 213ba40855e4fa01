// 适老化: a large-text, high-contrast mode, remembered on this device.
import { ref } from 'vue';

export const elderMode = ref(localStorage.getItem('tb-elder') === '1');

export function applyElderMode() {
  document.documentElement.classList.toggle('elder', elderMode.value);
}

export function toggleElderMode() {
  elderMode.value = !elderMode.value;
  localStorage.setItem('tb-elder', elderMode.value ? '1' : '0');
  applyElderMode();
}
