import streamlit as st

st.title("LR Lab")
st.write("The app is being built.")
